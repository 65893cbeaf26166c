using System.Net;
using ConnBurst.Common;
using Prometheus;

namespace ConnBurst.Export;

/// <summary>
/// <c>--prometheus HOST:PORT</c>: serves <c>http://HOST:PORT/metrics</c> in the Prometheus text exposition format
/// with prometheus-net's standalone <see cref="MetricServer"/>. Each endpoint has its own registry, so a command
/// exposes only the metrics it registers (no process-wide default metrics mixed in from tests or other commands).
/// <code>
/// using var prom = PrometheusEndpoint.Start(HostPort.Parse(text, "--prometheus"));
/// var connects = prom.Metrics.CreateCounter("connburst_connects_total", "Connections that completed CONNACK");
/// var open = prom.Metrics.CreateGauge("connburst_connections_open", "Connections open now");
/// connects.Inc(); open.Set(n);          // or prom.Registry.AddBeforeCollectCallback(() => open.Set(read()))
/// </code>
/// </summary>
internal sealed class PrometheusEndpoint : IDisposable
{
    private readonly IMetricServer _server;

    private PrometheusEndpoint(IMetricServer server, CollectorRegistry registry, HostPort listen)
    {
        _server = server;
        Registry = registry;
        Metrics = Prometheus.Metrics.WithCustomRegistry(registry);
        Listen = listen;
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Creates counters, gauges and histograms in this endpoint's registry.</summary>
    public IMetricFactory Metrics { get; }

    public HostPort Listen { get; }

    public string Url => $"http://{Listen}/metrics";

    /// <summary>Starts serving; bad addresses and ports already in use are input errors (one line, exit 2).</summary>
    public static PrometheusEndpoint Start(HostPort listen, CollectorRegistry? registry = null)
    {
        if (listen.Port == 0) throw new InputException("--prometheus: give a fixed port (e.g. 127.0.0.1:9464); port 0 cannot be scraped");
        registry ??= Prometheus.Metrics.NewCustomRegistry();
        // HttpListener wants a host it can match literally: IPv6 literals in brackets, "any" as "+".
        var host = listen.Host is "0.0.0.0" or "*" or "::" ? "+" : listen.Host.Contains(':') ? $"[{listen.Host}]" : listen.Host;
        var server = new MetricServer(host, listen.Port, "metrics/", registry);
        try
        {
            server.Start();
        }
        catch (HttpListenerException e)
        {
            throw new InputException($"--prometheus {listen}: cannot listen ({e.Message})");
        }
        return new PrometheusEndpoint(server, registry, listen);
    }

    /// <summary>Parses <c>--prometheus</c>'s value and starts; null when the option was not given.</summary>
    public static PrometheusEndpoint? StartIfGiven(string? listen) =>
        string.IsNullOrWhiteSpace(listen) ? null : Start(HostPort.Parse(listen, "--prometheus"));

    public void Dispose() => _server.Dispose();
}
