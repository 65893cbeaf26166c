using ScottPlot;

namespace ConnBurst.Reporting.Charts;

/// <summary>One line on a <see cref="TimeSeriesChart"/>: x and y arrays of equal length; NaN points are left out (gaps in the
/// data).</summary>
internal sealed record ChartLine(string Name, IReadOnlyList<double> Xs, IReadOnlyList<double> Ys, bool RightAxis = false,
    float Width = 1.5f);

/// <summary>
/// Line charts over time as PNG (ScottPlot 5), shared by every command that draws one: lines on a left axis,
/// optionally some on a right axis with its own unit (CPU % and RSS MiB on one chart), a legend, and
/// optional fixed left-axis limits (0–100 for percentages).
/// </summary>
internal static class TimeSeriesChart
{
    public sealed record Options(string Title, string XLabel, string YLabel)
    {
        public string? RightYLabel { get; init; }
        public (double Min, double Max)? YLimits { get; init; }
        /// <summary>A dashed horizontal line across the chart, e.g. the 85% busy limit of the peak search.</summary>
        public double? Threshold { get; init; }
        public string? ThresholdLabel { get; init; }
        public int Width { get; init; } = 1100;
        public int Height { get; init; } = 550;
    }

    /// <summary>Draws the lines and writes the PNG to <paramref name="path"/>.</summary>
    public static void SavePng(string path, Options options, IEnumerable<ChartLine> lines)
    {
        var plot = Build(options, lines);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        plot.SavePng(path, options.Width, options.Height);
    }

    /// <summary>Draws the lines on a plot in the shared <see cref="ChartStyle"/> (for reports that embed it or save it
    /// themselves).</summary>
    public static Plot Build(Options options, IEnumerable<ChartLine> lines)
    {
        var plot = ChartStyle.NewPlot(options.Title, options.XLabel, options.YLabel);
        var palette = new ScottPlot.Palettes.Category10();
        var i = 0;
        var anyRight = false;
        foreach (var line in lines)
        {
            var (xs, ys) = WithoutNaN(line.Xs, line.Ys);
            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = line.Name;
            scatter.MarkerSize = xs.Length == 1 ? 5 : 0;
            scatter.LineWidth = line.Width;
            scatter.Color = palette.GetColor(i++);
            if (line.RightAxis)
            {
                scatter.Axes.YAxis = plot.Axes.Right;
                anyRight = true;
            }
        }
        if (anyRight && options.RightYLabel is not null) plot.Axes.Right.Label.Text = options.RightYLabel;
        if (options.Threshold is { } t)
        {
            var h = plot.Add.HorizontalLine(t);
            h.LinePattern = LinePattern.Dashed;
            h.Color = Colors.Red.WithAlpha(0.6);
            if (options.ThresholdLabel is not null) h.LegendText = options.ThresholdLabel;
        }
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Axes.AutoScale();
        if (options.YLimits is { } y) plot.Axes.SetLimitsY(y.Min, y.Max, plot.Axes.Left);
        return plot;
    }

    private static (double[] Xs, double[] Ys) WithoutNaN(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        var n = Math.Min(xs.Count, ys.Count);
        var keepX = new List<double>(n);
        var keepY = new List<double>(n);
        for (var k = 0; k < n; k++)
        {
            if (double.IsNaN(xs[k]) || double.IsNaN(ys[k])) continue;
            keepX.Add(xs[k]);
            keepY.Add(ys[k]);
        }
        return (keepX.ToArray(), keepY.ToArray());
    }
}
