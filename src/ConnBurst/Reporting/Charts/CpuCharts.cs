using ConnBurst.Reporting.Sections;

namespace ConnBurst.Reporting.Charts;

/// <summary>Server CPU per core over time from a monitor recording's series, with the SLO's busy line drawn across.</summary>
internal static class CpuCharts
{
    public static ScottPlot.Plot PerCore(CpuSeries series, string title, double busyLimit = 85)
    {
        var lines = series.Cores.Select(c => new ChartLine(c.Name, series.Seconds, c.Busy, Width: 1.5f)).ToList();
        if (series.Total is { } total) lines.Insert(0, new ChartLine("all cores", series.Seconds, total, Width: 3f));
        return TimeSeriesChart.Build(new TimeSeriesChart.Options(title, "seconds since monitor START", "busy (%)")
        {
            YLimits = (0, 105),
            Threshold = busyLimit,
            ThresholdLabel = $"SLO {busyLimit:0}% busy",
        }, lines);
    }
}
