using ScottPlot;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Charts;

/// <summary>Latency charts: percentiles over time from interval snapshots, and the HDR percentile distribution.</summary>
internal static class LatencyCharts
{
    private static readonly string[] OverTimePercentiles = ["p50", "p90", "p99", "max"];

    /// <summary>p50/p90/p99/max of <paramref name="phase"/> per interval (keys "&lt;phase&gt;_p50"...; docs/results-schema.md).</summary>
    public static Plot PercentilesOverTime(IReadOnlyList<IntervalSnapshot> intervals, string phase, string title)
    {
        var plot = ChartStyle.NewPlot(title, "time since start (s)", $"{phase} latency (ms)");
        var n = 0;
        foreach (var p in OverTimePercentiles)
        {
            var key = $"{phase}_{p}";
            var points = intervals.Where(i => i.Values.ContainsKey(key)).Select(i => (i.Seconds, i.Values[key])).ToArray();
            if (points.Length == 0) continue;
            ChartStyle.Line(plot, points.Select(x => x.Seconds).ToArray(), points.Select(x => x.Item2).ToArray(), p,
                ChartStyle.ColorOf(n++));
        }
        if (n == 0) return ChartStyle.Empty(title, "no per-interval latency in these results");
        ChartStyle.Finish(plot, n);
        return plot;
    }

    /// <summary>
    /// The HDR percentile plot: latency against percentile on a "1/(1-p)" axis so the tail is readable
    /// (ticks at 50%, 90%, 99%, 99.9%...). One series per run, so compare overlays runs on one chart.
    /// Uses each summary's distribution points, or its fixed percentiles when no distribution was stored.
    /// </summary>
    public static Plot Distribution(IReadOnlyList<(string Label, LatencySummary Summary)> series, string title, string phase)
    {
        var plot = ChartStyle.NewPlot(title, "percentile", $"{phase} latency (ms)");
        var maxX = 1.0;
        var n = 0;
        foreach (var (label, s) in series)
        {
            var pts = Points(s).Where(p => p.Percentile < 100).Select(p => (X: Position(p.Percentile), Y: p.Ms)).ToArray();
            if (pts.Length == 0) continue;
            maxX = Math.Max(maxX, pts.Max(p => p.X));
            ChartStyle.Line(plot, pts.Select(p => p.X).ToArray(), pts.Select(p => p.Y).ToArray(), label, ChartStyle.ColorOf(n++));
        }
        if (n == 0) return ChartStyle.Empty(title, "no latency recorded");
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var (pct, text) in new[] { (0.0, "0%"), (50.0, "50%"), (90.0, "90%"), (99.0, "99%"), (99.9, "99.9%"), (99.99, "99.99%"),
            (99.999, "99.999%") })
        {
            if (Position(pct) <= maxX + 0.5) ticks.AddMajor(Position(pct), text);
        }
        plot.Axes.Bottom.TickGenerator = ticks;
        ChartStyle.Finish(plot, n);
        return plot;
    }

    /// <summary>log10(1/(1-p)): 0 at 0%, 1 at 90%, 2 at 99%, 3 at 99.9%.</summary>
    public static double Position(double percentile) => Math.Log10(100.0 / (100.0 - Math.Min(percentile, 99.9999)));

    public static IEnumerable<(double Percentile, double Ms)> Points(LatencySummary s)
    {
        if (s.Count == 0) yield break;
        if (s.Distribution is { Count: > 1 } d)
        {
            foreach (var p in d) if (p.Length >= 2) yield return (p[0], p[1]);
            yield break;
        }
        yield return (0, s.Min);
        yield return (50, s.P50);
        yield return (75, s.P75);
        yield return (90, s.P90);
        yield return (95, s.P95);
        yield return (99, s.P99);
        yield return (99.9, s.P999);
        yield return (99.99, s.Max);
    }
}
