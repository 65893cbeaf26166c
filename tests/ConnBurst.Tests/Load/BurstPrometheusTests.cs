using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tests.Servers;

namespace ConnBurst.Tests.Load;

/// <summary><c>burst --prometheus</c>: a real scrape during a real run shows the CONNACKs so far.</summary>
public sealed class BurstPrometheusTests
{
    [Fact]
    public async Task MetricsEndpointShowsConnacksWhileTheRunIsLive()
    {
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir);
        var promPort = FreePort.Next();
        using var results = new TempDir();
        using var burst = CliProcess.Start(["burst", "--target", $"127.0.0.1:{server.Port}", "--pki", TestPki.Dir, "--clients", "40",
            "--rate", "20",
            "--duration", "20s", "--snapshot", "1s", "--results", results.Path, "--prometheus", $"127.0.0.1:{promPort}"]);
        await burst.WaitForOutputAsync($"prometheus metrics at http://127.0.0.1:{promPort}/metrics", TimeSpan.FromSeconds(60));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        string text = "";
        while (DateTime.UtcNow < deadline && !burst.HasExited)
        {
            text = await http.GetStringAsync($"http://127.0.0.1:{promPort}/metrics");
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("connburst_burst_connacks_total ", StringComparison.Ordinal));
            if (line is not null && double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) >= 10) break;
            await Task.Delay(500);
        }
        Assert.Contains("connburst_burst_attempted_total", text);
        var connacks = text.Split('\n').First(l => l.StartsWith("connburst_burst_connacks_total ", StringComparison.Ordinal));
        Assert.True(double.Parse(connacks.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) >= 10, text);
        Assert.Contains("connburst_burst_connect_latency_ms{quantile=\"0.99\"}", text);
        burst.Interrupt();
        var r = await burst.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(File.Exists(r.LastLine), r.ToString());
    }
}
