using System.CommandLine;
using ConnBurst.Common;

namespace ConnBurst.Cli;

/// <summary>
/// Wraps every command's work so errors reach the user as one line: <see cref="InputException"/> exits 2,
/// anything else exits 1; a command stopped by Ctrl-C or SIGTERM exits 130 once it has written what it gathered (docs/CLI.md,
/// "Exit codes"). Stack traces are shown only with CONNBURST_DEBUG=1.
/// </summary>
internal static class CommandAction
{
    public static void Set(Command command, Func<ParseResult, CancellationToken, Task<int>> work) =>
        command.SetAction(async (parse, ct) =>
        {
            var name = CommandNames.Of(parse.CommandResult);
            try
            {
                var code = await work(parse, ct);
                return ct.IsCancellationRequested && code != ExitCodes.BadInput ? ExitCodes.Interrupted : code;
            }
            catch (InputException e)
            {
                Console.Error.WriteLine($"connburst {name}: {e.Message}");
                return ExitCodes.BadInput;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Console.Error.WriteLine($"connburst {name}: interrupted");
                return ExitCodes.Interrupted;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"connburst {name}: failed: {OneLine(e)}");
                if (Environment.GetEnvironmentVariable("CONNBURST_DEBUG") == "1") Console.Error.WriteLine(e);
                return ExitCodes.RunFailed;
            }
        });

    public static void Set(Command command, Func<ParseResult, CancellationToken, int> work) =>
        Set(command, (p, ct) => Task.FromResult(work(p, ct)));

    private static string OneLine(Exception e)
    {
        var msg = e.Message;
        if (e.InnerException is { } inner && !msg.Contains(inner.Message, StringComparison.Ordinal)) msg += ": " + inner.Message;
        return msg.ReplaceLineEndings(" ");
    }
}
