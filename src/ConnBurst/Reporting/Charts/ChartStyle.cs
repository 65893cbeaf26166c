using ScottPlot;

namespace ConnBurst.Reporting.Charts;

/// <summary>
/// The one look of every ConnBurst chart (report, compare, peak, chat, monitor): a titled plot with labelled axes,
/// a light grid, a legend when there is more than one series, and a fixed palette so a run keeps its colour across charts.
/// </summary>
internal static class ChartStyle
{
    public static readonly Color[] Palette =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"),
    ];

    public static Color ColorOf(int index) => Palette[index % Palette.Length];

    public static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans"); // installed with chromium/fontconfig on Debian; ScottPlot falls back when missing
        plot.Title(title, 16);
        plot.XLabel(xLabel, 13);
        plot.YLabel(yLabel, 13);
        plot.Grid.MajorLineColor = Color.FromHex("#e5e5e5");
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        return plot;
    }

    /// <summary>A line with markers; a single point still shows.</summary>
    public static void Line(Plot plot, double[] xs, double[] ys, string legend, Color color, bool onRightAxis = false)
    {
        var s = plot.Add.Scatter(xs, ys, color);
        s.LegendText = legend;
        s.LineWidth = 2;
        s.MarkerSize = xs.Length > 40 ? 0 : 5;
        if (onRightAxis) s.Axes.YAxis = plot.Axes.Right;
    }

    /// <summary>Shows the legend only when it tells series apart, then fits the axes with a zero floor on Y.</summary>
    public static void Finish(Plot plot, int series)
    {
        if (series > 1) plot.ShowLegend(Alignment.UpperLeft);
        else plot.HideLegend();
        plot.Axes.AutoScale();
        var y = plot.Axes.Left.Range;
        if (y.Min > 0 || double.IsNaN(y.Min)) plot.Axes.SetLimitsY(0, double.IsNaN(y.Max) || y.Max <= 0 ? 1 : y.Max * 1.08, plot.Axes.Left);
    }

    /// <summary>A plot that says there is nothing to show, so a report never has a hole where a chart should be.</summary>
    public static Plot Empty(string title, string why)
    {
        var plot = NewPlot(title, "", "");
        var t = plot.Add.Text(why, 0, 0);
        t.LabelFontSize = 16;
        t.LabelAlignment = Alignment.MiddleCenter;
        plot.HideGrid();
        plot.Axes.SetLimits(-1, 1, -1, 1);
        return plot;
    }
}
