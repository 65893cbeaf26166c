namespace ConnBurst.Reporting.Charts;

/// <summary>The charts a run's report shows, in order. Built once and shared by the PNG and HTML renderers.</summary>
internal static class ReportCharts
{
    public static IReadOnlyList<Chart> For(RunReport r)
    {
        var charts = new List<Chart>();
        if (r.Peak is { } peak)
        {
            charts.Add(new Chart("peak", "Latency and server CPU against offered rate",
                PeakCharts.LatencyAndCpuVsRate(peak, "Peak search: latency and CPU vs offered rate")));
        }
        if (r.Doc.Kind != "monitor" && r.Doc.Kind != "peak" || r.Doc.Latency.Count > 0)
        {
            charts.Add(new Chart("latency-over-time", "Latency percentiles over time",
                LatencyCharts.PercentilesOverTime(r.Doc.Intervals, r.HeadlinePhase, $"{r.HeadlinePhase} latency percentiles over time")));
            charts.Add(new Chart("latency-distribution", "Latency distribution (HDR percentile plot)",
                LatencyCharts.Distribution(r.Doc.Latency.Select(kv => (kv.Key, kv.Value)).ToList(), "Latency by percentile, per phase",
                    "connect")));
            charts.Add(new Chart("rates", "Connections and rates over time",
                RateCharts.ConnectionsAndRates(r.Doc.Intervals, "Connections and rates over time")));
        }
        if (r.Server?.Series is { } m)
            charts.Add(new Chart("server-cpu", "Server CPU per core over time", CpuCharts.PerCore(m, "Server CPU per core")));
        return charts;
    }
}
