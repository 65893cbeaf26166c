using ConnBurst.Results;

namespace ConnBurst.Reporting.Charts;

/// <summary>Connections and rates over time from interval snapshots: rates on the left axis, open connections on the right.</summary>
internal static class RateCharts
{
    private static readonly (string Key, string Legend)[] Rates =
        [("attemptsPerSec", "attempts/s"), ("connacksPerSec", "CONNACKs/s"), ("connectsPerSec", "connects/s"),
            ("failuresPerSec", "failures/s"), ("failed", "failed in interval"), ("messagesPerSec", "messages/s")];

    public static ScottPlot.Plot ConnectionsAndRates(IReadOnlyList<IntervalSnapshot> intervals, string title)
    {
        var plot = ChartStyle.NewPlot(title, "time since start (s)", "per second");
        var n = 0;
        foreach (var (key, legend) in Rates)
            if (Series(intervals, key) is { } s) ChartStyle.Line(plot, s.X, s.Y, legend, ChartStyle.ColorOf(n++));
        if ((Series(intervals, "connectedNow") ?? Series(intervals, "open")) is { } open)
        {
            ChartStyle.Line(plot, open.X, open.Y, "open connections (right axis)", ChartStyle.ColorOf(n++), onRightAxis: true);
            plot.Axes.Right.Label.Text = "open connections";
        }
        if (n == 0) return ChartStyle.Empty(title, "no per-interval counters in these results");
        ChartStyle.Finish(plot, n);
        return plot;
    }

    private static (double[] X, double[] Y)? Series(IReadOnlyList<IntervalSnapshot> intervals, string key)
    {
        var pts = intervals.Where(i => i.Values.ContainsKey(key)).ToArray();
        return pts.Length == 0 ? null : (pts.Select(p => p.Seconds).ToArray(), pts.Select(p => p.Values[key]).ToArray());
    }
}
