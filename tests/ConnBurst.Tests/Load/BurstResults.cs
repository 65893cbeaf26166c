using ConnBurst.Reporting;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Results;

namespace ConnBurst.Tests.Load;

/// <summary>Helpers shared by the burst tests: run the real CLI and read back the results file it names on its last line.</summary>
internal static class BurstResults
{
    public static async Task<(CliResult Run, ResultsDocument Doc)> RunAsync(TimeSpan timeout, params string[] args)
    {
        var run = await CliProcess.RunAsync(timeout, ["burst", .. args]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(File.Exists(run.LastLine), $"last stdout line is not a results file: {run}");
        return (run, ResultsFile.Read(run.LastLine));
    }

    public static void AssertOrdered(LatencySummary s)
    {
        var chain = new[] { s.Min, s.P50, s.P75, s.P90, s.P95, s.P99, s.P999, s.Max };
        for (int i = 1; i < chain.Length; i++)
            Assert.True(chain[i - 1] <= chain[i], $"percentiles out of order: {string.Join(" <= ", chain)}");
        Assert.True(s.Min <= s.Avg && s.Avg <= s.Max, $"avg {s.Avg} outside [{s.Min}, {s.Max}]");
    }
}
