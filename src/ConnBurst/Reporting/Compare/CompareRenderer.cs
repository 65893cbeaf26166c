using System.Globalization;
using System.Text;
using ConnBurst.Reporting.Charts;
using ConnBurst.Reporting.Renderers;
using ConnBurst.Reporting.Tables;

namespace ConnBurst.Reporting.Compare;

/// <summary>Writes a <see cref="RunComparison"/> as a text table, overlaid distribution PNGs, and one self-contained HTML page.</summary>
internal static class CompareRenderer
{
    /// <summary>One overlaid HDR distribution chart per phase, every run on it.</summary>
    public static IReadOnlyList<Chart> Charts(RunComparison c) =>
        c.Phases.Select(phase => new Chart($"compare-{phase}", $"{phase} latency distribution, all runs",
            LatencyCharts.Distribution(c.Runs.Select(r => (r.Label, r.Doc.Latency[phase])).ToList(), $"{phase} latency by percentile",
                phase))).ToList();

    public static string Text(RunComparison c)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"compare {c.Runs.Count} {c.Kind} runs; baseline {c.Runs[0].Label}");
        for (var i = 0; i < c.Runs.Count; i++) sb.AppendLine(CultureInfo.InvariantCulture, $"  [{i}] {c.Runs[i].Label}");
        foreach (var (key, values) in c.Differences)
            sb.AppendLine(CultureInfo.InvariantCulture, $"  differs: {key} = {string.Join(" | ", values)}");
        TextTable.AppendTo(sb, CompareTable.Of(c, c.Runs.Select((_, i) => $"[{i}]").ToList()), "");
        if (HandshakeRounds.Of(c) is { } rounds) sb.AppendLine().Append(rounds.Text());
        return sb.ToString();
    }

    public static string Html(RunComparison c, IReadOnlyList<Chart> charts)
    {
        var page = new HtmlPage();
        var title = $"ConnBurst compare: {string.Join(" vs ", c.Runs.Select(r => r.Label))}";
        page.Heading(1, title).Paragraph($"{c.Runs.Count} {c.Kind} runs; deltas and ratios against the baseline {c.Runs[0].Label}", "sub");
        if (c.Differences.Count > 0)
        {
            page.Heading(2, "What differs").Table(["setting", .. c.Runs.Select(r => r.Label)],
                c.Differences.Select(d => (IReadOnlyList<string>)[d.Key, .. d.Values]), "kv");
        }
        var table = CompareTable.Of(c, [c.Runs[0].Label + " (baseline)", .. c.Runs.Skip(1).Select(r => r.Label)]);
        page.Heading(2, "Figures").Table(table.Headings, table.RowsText(), "compare", numericFrom: 1);
        page.Heading(2, "Latency distributions");
        foreach (var chart in charts) page.Chart(chart);
        return page.ToHtml(title);
    }
}
