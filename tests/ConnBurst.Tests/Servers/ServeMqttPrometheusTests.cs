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
        Assert.NotEqual(0, (await MosquittoPub.RunAsync(server.Port, ca, m.PathOf(m.Revoked[0].Cert), m.PathOf(m.Revoked[0].Key)))
            .ExitCode);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync($"http://127.0.0.1:{promPort}/metrics");
        var lines = text.Split('\n');
        Assert.Contains("connburst_server_connacks_total 1", lines);
        Assert.Contains("connburst_server_handshakes_failed_total{reason=\"revoked\"} 1", lines);
        Assert.Contains("connburst_server_crl_serials 10000", lines);
        Assert.Equal(0, (await server.StopAsync()).ExitCode);
    }

    [Fact]
    public async Task WithWorkersTheMetricsAreTheChildrensSums()
    {
        var m = TestPki.Manifest;
        var promPort = FreePort.Next();
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--workers", "2", "--prometheus", $"127.0.0.1:{promPort}");
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(0, (await MosquittoPub.RunAsync(server.Port, m.PathOf(m.Ca.Cert), m.PathOf(m.Client.Cert), m.PathOf(m.Client.Key)))
                .ExitCode);
        }

        // The children report every second; the parent's /metrics shows their sum (whichever child took each connection).
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string text;
        do
        {
            await Task.Delay(500);
            text = await http.GetStringAsync($"http://127.0.0.1:{promPort}/metrics");
        }
        while (!text.Split('\n').Contains("connburst_server_connacks_total 4") && DateTime.UtcNow < deadline);
        Assert.Contains("connburst_server_connacks_total 4", text.Split('\n'));
        Assert.Contains("connburst_server_crl_serials 10000", text.Split('\n'));
        Assert.Equal(0, (await server.StopAsync()).ExitCode);
    }
}
