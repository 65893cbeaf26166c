using ScottPlot;

namespace ConnBurst.Reporting.Compare;

/// <summary>A comparison's per-phase overlaid distributions (<see cref="CompareRenderer.Charts"/>) in one PNG, two panels a row.</summary>
internal static class ComparePng
{
    public const int PanelWidth = 800;
    public const int PanelHeight = 450;

    public static string Save(RunComparison c, string path)
    {
        var charts = CompareRenderer.Charts(c);
        if (charts.Count == 0) throw new InvalidOperationException("the runs share no latency phase to chart");
        var multiplot = new Multiplot(); // starts with one empty plot: Reset replaces it with the first panel
        multiplot.Reset(charts[0].Plot);
        foreach (var chart in charts.Skip(1)) multiplot.AddPlot(chart.Plot);
        var columns = charts.Count == 1 ? 1 : 2;
        var rows = (charts.Count + columns - 1) / columns;
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        multiplot.SavePng(full, PanelWidth * columns, PanelHeight * rows);
        return full;
    }
}
