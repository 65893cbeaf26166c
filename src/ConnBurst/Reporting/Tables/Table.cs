namespace ConnBurst.Reporting.Tables;

/// <summary>
/// Columns and rows of figures, kept apart from their layout: <see cref="TextTable"/> lays one out for a terminal or a
/// text file, <c>HtmlPage.Table</c> for the HTML page. Every cell's text comes from its column.
/// </summary>
internal sealed class Table(IReadOnlyList<Column> columns, IReadOnlyList<IReadOnlyList<Cell>> rows)
{
    public IReadOnlyList<Column> Columns => columns;
    public int RowCount => rows.Count;

    /// <summary>The unit every figure column shares, said once in a title ("Latency (ms)"); null when they differ.</summary>
    public string? SharedUnit
    {
        get
        {
            var units = columns.Where(c => c.Unit.Length > 0).Select(c => c.Unit).Distinct(StringComparer.Ordinal).ToList();
            return units.Count == 1 ? units[0] : null;
        }
    }

    /// <summary>Column headers: names alone when the unit is shared, else names with their units.</summary>
    public IReadOnlyList<string> Headings
    {
        get
        {
            var shared = SharedUnit;
            return columns.Select(c => shared is null ? c.Heading : c.Name).ToList();
        }
    }

    public string Text(int row, int column) => columns[column].Text(rows[row][column]);

    public IReadOnlyList<string> RowText(int row) => columns.Select((_, i) => Text(row, i)).ToList();

    public IEnumerable<IReadOnlyList<string>> RowsText() => Enumerable.Range(0, rows.Count).Select(RowText);
}
