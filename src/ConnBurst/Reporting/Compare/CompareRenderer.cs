using System.Globalization;
using System.Text;
using ConnBurst.Reporting.Charts;
using ConnBurst.Reporting.Renderers;

namespace ConnBurst.Reporting.Compare;

/// <summary>Writes a <see cref="RunComparison"/> as a text table, overlaid distribution PNGs, and one self-contained HTML page.</summary>
internal static class CompareRenderer
{
    /// <summary>One overlaid HDR distribution chart per phase, every run on it.</summary>
    public static IReadOnlyList<Chart> Charts(RunComparison c) =>
        c.Phases.Select(phase => new Chart($"compare-{phase}", $"{phase} latency distribution, all runs",
            LatencyCharts.Distribution(c.Runs.Select(r => (r.Label, r.Doc.Latency[phase])).ToList(), $"{phase} latency by percentile", phase))).ToList();

    public static string Text(RunComparison c)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"compare {c.Runs.Count} {c.Kind} runs; baseline {c.Runs[0].Label}");
        for (var i = 0; i < c.Runs.Count; i++) sb.AppendLine(CultureInfo.InvariantCulture, $"  [{i}] {c.Runs[i].Label}");
        foreach (var (key, values) in c.Differences) sb.AppendLine(CultureInfo.InvariantCulture, $"  differs: {key} = {string.Join(" | ", values)}");
        sb.Append(CultureInfo.InvariantCulture, $"{"figure",-30}{"[0]",12}");
        for (var i = 1; i < c.Runs.Count; i++) sb.Append(CultureInfo.InvariantCulture, $"{$"[{i}]",12}{"delta",11}{"ratio",8}");
        sb.AppendLine();
        foreach (var row in c.Rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{(row.Unit.Length > 0 ? $"{row.Name} ({row.Unit})" : row.Name),-30}{V(row.Cells[0].Value),12}");
            foreach (var cell in row.Cells.Skip(1)) sb.Append(CultureInfo.InvariantCulture, $"{V(cell.Value),12}{D(cell.Delta),11}{R(cell.Ratio),8}");
            sb.AppendLine();
        }
        if (HandshakeRounds.Of(c) is { } rounds) sb.AppendLine().Append(rounds.Text());
        return sb.ToString();
    }

    public static string Html(RunComparison c, IReadOnlyList<Chart> charts)
    {
        var page = new HtmlPage();
        var title = $"ConnBurst compare: {string.Join(" vs ", c.Runs.Select(r => r.Label))}";
        page.Heading(1, title).Paragraph($"{c.Runs.Count} {c.Kind} runs; deltas and ratios against the baseline {c.Runs[0].Label}", "sub");
        if (c.Differences.Count > 0)
            page.Heading(2, "What differs").Table(["setting", .. c.Runs.Select(r => r.Label)], c.Differences.Select(d => (IReadOnlyList<string>)[d.Key, .. d.Values]), "kv");
        var header = new List<string> { "figure", c.Runs[0].Label + " (baseline)" };
        foreach (var r in c.Runs.Skip(1)) header.AddRange([r.Label, "delta", "ratio"]);
        page.Heading(2, "Figures").Table(header, c.Rows.Select(row =>
        {
            var cells = new List<string> { row.Unit.Length > 0 ? $"{row.Name} ({row.Unit})" : row.Name, V(row.Cells[0].Value) };
            foreach (var cell in row.Cells.Skip(1)) cells.AddRange([V(cell.Value), D(cell.Delta), R(cell.Ratio)]);
            return (IReadOnlyList<string>)cells;
        }), "compare", numericFrom: 1);
        page.Heading(2, "Latency distributions");
        foreach (var chart in charts) page.Chart(chart);
        return page.ToHtml(title);
    }

    private static string V(double? v) => v is { } x ? Verdicts.F(x) : "-";
    private static string D(double? v) => v is { } x ? (x >= 0 ? "+" : "") + Verdicts.F(x) : "-";
    private static string R(double? v) => v is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-";
}
