using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Servers;

/// <summary><c>serve mqtt --prometheus</c>: a real scrape of /metrics counts what a real client (mosquitto_pub) did.</summary>
public sealed class ServeMqttPrometheusTests
{
    [Fact]
    public async Task MetricsEndpointCountsAConnackAndARevokedHandshake()
    {
        var m = TestPki.Manifest;
        var promPort = FreePort.Next();
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--prometheus", $"127.0.0.1:{promPort}");
        await server.Process.WaitForOutputAsync($"prometheus metrics at http://127.0.0.1:{promPort}/metrics", TimeSpan.FromSeconds(10));

        var ca = m.PathOf(m.Ca.Cert);
        Assert.Equal(0, (await MosquittoPub.RunAsync(server.Port, ca, m.PathOf(m.Client.Cert), m.PathOf(m.Client.Key))).ExitCode);
        Assert.NotEqual(0, (await MosquittoPub.RunAsync(server.Port, ca, m.PathOf(m.Revoked[0].Cert), m.PathOf(m.Revoked[0].Key))).ExitCode);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync($"http://127.0.0.1:{promPort}/metrics");
        var lines = text.Split('\n');
        Assert.Contains("connburst_server_connacks_total 1", lines);
        Assert.Contains("connburst_server_handshakes_failed_total{reason=\"revoked\"} 1", lines);
        Assert.Contains("connburst_server_crl_serials 10000", lines);
        Assert.Equal(0, (await server.StopAsync()).ExitCode);
    }

    [Fact]
    public async Task PrometheusWithWorkersIsRefusedWithOneLine()
    {
        var r = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "serve", "mqtt", "--pki", TestPki.Dir, "--port", FreePort.Next().ToString(),
            "--workers", "2", "--prometheus", $"127.0.0.1:{FreePort.Next()}");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--prometheus", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}
