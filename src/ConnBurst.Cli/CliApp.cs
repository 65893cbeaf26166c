using System.CommandLine;
using ConnBurst.Cli.Commands;
using ConnBurst.Common;

namespace ConnBurst.Cli;

/// <summary>Builds the command tree and turns parse errors into the contract's one-line, exit-2 form.</summary>
internal static class CliApp
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "ConnBurst: TLS connection-load benchmarking (MQTT v5 mutual-TLS bursts, chat over TLS, server monitoring, reports).");
        foreach (var command in Commands()) root.Subcommands.Add(command);
        VersionLine.Install(root);
        return root;
    }

    /// <summary>Every subcommand, one file each under Commands/.</summary>
    private static IEnumerable<Command> Commands() =>
    [
        CertsCommand.Create(),
        ChatCommand.Create(),
        MonitorCommand.Create(),
        ReportCommand.Create(),
        CompareCommand.Create(),
        AnalyzeCommand.Create(),
        PeakCommand.Create(),
        DemoCommand.Create(),
        BurstCommand.Create(),
        MergeCommand.Create(),
        ClientListCommand.Create(),
        ServeCommand.Create(),
        KubeCommand.Create(),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        Signals.HonourInterruptEvenIfIgnored();
        // The console's writers each dup(2) their descriptor when first used: made now, an error written when the process is at
        // its descriptor limit (a server full of connections) is still written, instead of failing with EMFILE itself.
        _ = Console.Out;
        _ = Console.Error;
        var root = BuildRoot();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var name = CommandNames.Of(parse.CommandResult);
            Console.Error.WriteLine(name.Length == 0 ? $"connburst: {parse.Errors[0].Message} (see 'connburst --help')"
                : $"connburst {name}: {parse.Errors[0].Message} (see 'connburst {name} --help')");
            return ExitCodes.BadInput;
        }
        // How long a command may take to finish after Ctrl-C or SIGTERM before the process is ended without it. Stopping is
        // bounded inside (a burst closes for at most 5 s, a worker is killed 10 s after it was told to stop, a server worker
        // 15 s), but 200,000 connections closing at once on both sides of one 2-core machine took a burst past 15 s: it was
        // ended before it wrote its results (its journal kept them; bench/hold.sh, 2026-12-02).
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
    }

}
