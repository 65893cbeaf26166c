using ConnBurst.Reporting.Sections;

namespace ConnBurst.Reporting.Charts;

/// <summary>The peak search's chart: average latency (left) and busiest server core (right) against offered rate, with the SLO
/// lines.</summary>
internal static class PeakCharts
{
    public static ScottPlot.Plot LatencyAndCpuVsRate(PeakSection peak, string title)
    {
        var plot = ChartStyle.NewPlot(title, "offered rate (connections/s)", "avg connect latency (ms)");
        if (peak.Steps.Count == 0) return ChartStyle.Empty(title, "the search ran no step");
        var steps = peak.Steps.OrderBy(s => s.Rate).ToArray();
        var xs = steps.Select(s => s.Rate).ToArray();
        ChartStyle.Line(plot, xs, steps.Select(s => s.AvgLatencyMs).ToArray(), "avg latency (ms)", ChartStyle.ColorOf(0));
        var withCpu = steps.Where(s => s.MaxCoreBusy.HasValue).ToArray();
        if (withCpu.Length > 0)
        {
            ChartStyle.Line(plot, withCpu.Select(s => s.Rate).ToArray(), withCpu.Select(s => s.MaxCoreBusy!.Value).ToArray(),
                "busiest server core (%, right)", ChartStyle.ColorOf(1), onRightAxis: true);
            plot.Axes.Right.Label.Text = "busiest core (%)";
            var cpuLine = plot.Add.HorizontalLine(peak.Slo.MaxCpuBusy, 1, ChartStyle.ColorOf(1), ScottPlot.LinePattern.Dotted);
            cpuLine.Axes.YAxis = plot.Axes.Right;
        }
        var latLine = plot.Add.HorizontalLine(peak.Slo.MaxAvgLatencyMs, 1, ChartStyle.ColorOf(0), ScottPlot.LinePattern.Dotted);
        latLine.LegendText = $"SLO {peak.Slo.MaxAvgLatencyMs:0} ms";
        if (peak.Rate > 0)
        {
            var v = plot.Add.VerticalLine(peak.Rate, 2, ScottPlot.Colors.Green, ScottPlot.LinePattern.Dashed);
            v.LegendText = $"peak {peak.Rate:0.#}/s";
        }
        ChartStyle.Finish(plot, 3);
        if (withCpu.Length > 0) plot.Axes.SetLimitsY(0, 105, plot.Axes.Right);
        return plot;
    }
}
