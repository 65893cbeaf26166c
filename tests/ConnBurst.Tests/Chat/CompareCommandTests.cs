using ConnBurst.Reporting;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Results;

namespace ConnBurst.Tests.Chat;

public class CompareCommandTests
{
    [Fact]
    public async Task CompareOfATls12AndATls13ChatRunShowsTheHandshakeRoundTrips()
    {
        using var dir = new TempDir();
        var a = ResultsFile.Write(ChatReportTests.Synthetic("tls12", 4, 1), dir.Path, "a.json");
        var b = ResultsFile.Write(ChatReportTests.Synthetic("tls13", 2, 2), dir.Path, "b.json");
        var r = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "compare", a, b);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("TLS 1.2: 2 RTT    TLS 1.3: 1 RTT", r.Stdout);
        Assert.True(File.Exists(r.LastLine));
    }
}
