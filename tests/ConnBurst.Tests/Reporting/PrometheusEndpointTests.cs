using ConnBurst.Common;
using ConnBurst.Export;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Reporting;

public class PrometheusEndpointTests
{
    [Fact]
    public async Task ServesRegisteredMetricsInTheTextFormat()
    {
        var port = FreePort.Next();
        using var prom = PrometheusEndpoint.Start(new HostPort("127.0.0.1", port));
        var connects = prom.Metrics.CreateCounter("connburst_connects_total", "Connections that completed CONNACK");
        var open = prom.Metrics.CreateGauge("connburst_connections_open", "Connections open now");
        connects.Inc(42);
        open.Set(7);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var response = await http.GetAsync(prom.Url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("# TYPE connburst_connects_total counter", text);
        Assert.Contains("connburst_connects_total 42", text);
        Assert.Contains("connburst_connections_open 7", text);
    }

    [Fact]
    public void APortInUseIsAnInputError()
    {
        var port = FreePort.Next();
        using var first = PrometheusEndpoint.Start(new HostPort("127.0.0.1", port));
        var e = Assert.Throws<InputException>(() => PrometheusEndpoint.Start(new HostPort("127.0.0.1", port)));
        Assert.Contains("--prometheus", e.Message);
    }
}
