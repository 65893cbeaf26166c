using System.Text;

namespace ConnBurst.Reporting.Tables;

/// <summary>
/// A <see cref="Table"/> in fixed-width text: figures right-aligned, text left-aligned, two spaces between columns.
/// A figure column is as wide as its header or eight characters, never as its data, so rows printed one at a time as
/// they arrive (peak's steps) line up under a header printed before them.
/// </summary>
internal static class TextTable
{
    private const int MinWidth = 8;

    /// <summary>The header line; with the shared unit after it, as "(ms)", when the columns share one.</summary>
    public static string Header(Table t, string indent)
    {
        var line = Line(t, t.Headings, indent);
        return t.SharedUnit is { } unit ? $"{line}   ({unit})" : line;
    }

    public static string Row(Table t, int row, string indent) => Line(t, t.RowText(row), indent);

    public static void AppendTo(StringBuilder sb, Table t, string indent)
    {
        sb.AppendLine(Header(t, indent));
        for (var i = 0; i < t.RowCount; i++) sb.AppendLine(Row(t, i, indent));
    }

    public static string Render(Table t, string indent)
    {
        var sb = new StringBuilder();
        AppendTo(sb, t, indent);
        return sb.ToString();
    }

    private static string Line(Table t, IReadOnlyList<string> cells, string indent)
    {
        var sb = new StringBuilder(indent);
        var headings = t.Headings;
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0) sb.Append("  ");
            var column = t.Columns[i];
            if (!column.IsText) sb.Append(cells[i].PadLeft(Math.Max(MinWidth, headings[i].Length)));
            else if (i == cells.Count - 1) sb.Append(cells[i]); // a trailing text (an outcome and its note) runs on
            else sb.Append(cells[i].PadRight(TextWidth(t, i)));
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>A leading text column (the phase) is as wide as its longest cell, so the figures after it line up.</summary>
    private static int TextWidth(Table t, int column) =>
        Enumerable.Range(0, t.RowCount).Select(r => t.Text(r, column).Length).Append(t.Headings[column].Length).Append(MinWidth).Max();
}
