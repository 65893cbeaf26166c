using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Monitor;

/// <summary><c>monitor --prometheus</c>: a real scrape shows the latest per-core CPU sample.</summary>
public sealed class MonitorPrometheusTests
{
    [Fact]
    public async Task MetricsEndpointServesEveryCoresBusyPercent()
    {
        using var results = new TempDir();
        var promPort = FreePort.Next();
        using var monitor = CliProcess.Start(["monitor", "--listen", "127.0.0.1:0", "--interval", "250ms", "--results", results.Path,
            "--prometheus", $"127.0.0.1:{promPort}"]);
        await monitor.WaitForOutputAsync("listening on", TimeSpan.FromSeconds(60));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        string text = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !text.Contains("series=\"cpu.cpu0.busy\"", StringComparison.Ordinal))
        {
            await Task.Delay(250);
            text = await http.GetStringAsync($"http://127.0.0.1:{promPort}/metrics");
        }
        for (var core = 0; core < Environment.ProcessorCount; core++)
        {
            var line = text.Split('\n').FirstOrDefault(l
                => l.StartsWith($"connburst_monitor_value{{series=\"cpu.cpu{core}.busy\"}} ", StringComparison.Ordinal));
            Assert.True(line is not null, text);
            var value = double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(value, 0, 100);
        }
        Assert.Contains("connburst_monitor_value{series=\"mem.totalMiB\"}", text);
    }
}
