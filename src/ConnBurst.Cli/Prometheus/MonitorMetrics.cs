using ConnBurst.Export;
using ConnBurst.Monitor;

namespace ConnBurst.Cli.Prometheus;

/// <summary>
/// <c>monitor --prometheus</c>: every sampled column (the same dotted names as the results JSON and Graphite, e.g.
/// <c>cpu.cpu0.busy</c>) as one gauge labelled by series, read from the latest sample at scrape time.
/// </summary>
internal static class MonitorMetrics
{
    public static void Expose(PrometheusEndpoint prom, MonitorService service)
    {
        var gauge = prom.Metrics.CreateGauge("connburst_monitor_value",
            "The monitor's latest sample of each series (units as in docs/results-schema.md)", ["series"]);
        prom.Registry.AddBeforeCollectCallback(() =>
        {
            var (columns, values) = service.Latest();
            for (var i = 0; i < columns.Count; i++)
                if (!double.IsNaN(values[i])) gauge.WithLabels(columns[i]).Set(values[i]);
        });
    }
}
