using System.CommandLine;
using ConnBurst.Cli;

namespace ConnBurst.Tests.Cli;

/// <summary>Every command's options follow docs/CLI.md: the model System.CommandLine builds is walked, option by option.</summary>
public sealed class CliConventionsTests
{
    [Fact]
    public void EveryCommandsOptionsFollowTheConventions()
    {
        var commands = CliConventions.Walk(CliApp.BuildRoot()).ToList();
        Assert.Contains(commands, c => c.Path == "serve chat"); // the walk reaches nested commands
        var problems = commands.SelectMany(c => CliConventions.Problems(c.Path, c.Command)).ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void TheCheckCatchesEachKindOfBreach()
    {
        var bad = new Command("bad")
        {
            new Option<string>("--results") { Description = "Results directory" },
            new Option<double>("--behind-threshold-ms") { Description = "Lag" },
            new Option<string>("--drain-timeout") { Description = "How long" },
            new Option<double>("--max-errors") { Description = "Share of failures, in percent" },
            new Option<string>("--out") { Description = "The merged file" },
            new Option<int>("--port") { Description = "Port to listen on" },
            new Option<string>("--monitor") { Description = "Monitor HOST:PORT" },
            new Option<string>("--graphite") { Description = "Graphite HOST:PORT" },
            new Option<int>("--undocumented"),
        };
        var current = new Option<string>("--out-file") { Description = "The merged file" };
        bad.Options.Add(current);
        LegacyNames.Add(bad, current, "--out-file-old");
        bad.Options.Add(new LegacyOption<string>("--shown", current) { Description = "Old spelling" });

        var problems = CliConventions.Problems("bad", bad).ToList();
        string[] expected =
        [
            "bad --results: a retired name", "bad --behind-threshold-ms: a unit in the name", "bad --drain-timeout: a duration option",
            "bad --max-errors: a percent option", "bad --out: --out is a directory", "bad --port: a server listens",
            "bad: --monitor without --monitor-token", "bad: --graphite without --graphite-root", "bad --undocumented: no description",
            "bad --shown: an old spelling is visible",
        ];
        foreach (var e in expected)
        {
            Assert.True(problems.Any(p => p.StartsWith(e, StringComparison.Ordinal)), $"not caught: {e}\n{string.Join('\n', problems)}");
        }
        Assert.DoesNotContain(problems, p => p.StartsWith("bad --out-file", StringComparison.Ordinal));
    }
}
