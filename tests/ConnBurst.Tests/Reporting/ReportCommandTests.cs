using ConnBurst.Reporting;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Results;

namespace ConnBurst.Tests.Reporting;

/// <summary>report, compare and analyze as a user runs them: the real connburst executable over results files.</summary>
public class ReportCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ReportWritesHtmlPngAndTextAndPrintsTheHtmlPathLast()
    {
        using var dir = new TempDir();
        var results = ResultsFile.Write(SampleResults.Burst().WithServer(SampleResults.Server()), dir.Path, "burst-a.json");
        var r = await CliProcess.RunAsync(Timeout, "report", results);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(dir.Combine("burst-a-report.html"), r.LastLine);
        Assert.True(File.Exists(r.LastLine));
        Assert.Equal(4, Directory.GetFiles(dir.Path, "burst-a-report-*.png").Length);
        Assert.Contains("[PASS] latency", r.Stdout);
    }

    [Fact]
    public async Task CompareWritesATableAndAnHtmlPage()
    {
        using var dir = new TempDir();
        var a = ResultsFile.Write(SampleResults.Burst(scaleMs: 10, tls: "1.2"), dir.Path, "tls12.json");
        var b = ResultsFile.Write(SampleResults.Burst(scaleMs: 14, tls: "1.3"), dir.Path, "tls13.json");
        var r = await CliProcess.RunAsync(Timeout, "compare", a, b);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("differs: tls = 1.2 | 1.3", r.Stdout);
        Assert.Equal(dir.Combine("tls12-vs-tls13.html"), r.LastLine);
        Assert.True(File.Exists(r.LastLine));
    }

    [Fact]
    public async Task AnalyzeNamesTheSideWithItsFigures()
    {
        using var dir = new TempDir();
        var results = ResultsFile.Write(SampleResults.Burst().WithServer(SampleResults.Server(recvQSumMax: 500_000)), dir.Path,
            "stalled.json");
        var r = await CliProcess.RunAsync(Timeout, "analyze", results);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("side: server:", r.Stdout);
        Assert.Contains("Recv-Q", r.Stdout);
    }

    [Theory]
    [InlineData("report", "/nonexistent/results.json")]
    [InlineData("compare", "/nonexistent/a.json", "/nonexistent/b.json")]
    [InlineData("analyze", "/nonexistent/a.json")]
    public async Task MissingFilesAreOneLineInputErrors(params string[] args)
    {
        var r = await CliProcess.RunAsync(Timeout, args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("results file not found", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}
