using ConnBurst.Reporting.Compare;

namespace ConnBurst.Reporting.Tables;

/// <summary>
/// Compare's figures as a table: one row per figure (its unit in its label, as the rows mix units), the baseline's
/// value, then each other run's value, delta and ratio. The text output heads runs by index ([0], [1]...), the HTML
/// page by their labels.
/// </summary>
internal static class CompareTable
{
    public static Table Of(RunComparison c, IReadOnlyList<string> runHeadings)
    {
        List<Column> columns = [Column.Label("figure"), Column.Figure(runHeadings[0])];
        for (var i = 1; i < c.Runs.Count; i++)
            columns.AddRange([Column.Figure(runHeadings[i]), Column.Delta("delta"), Column.Ratio("ratio")]);
        var rows = c.Rows.Select(row =>
        {
            List<Cell> cells = [row.Unit.Length > 0 ? $"{row.Name} ({row.Unit})" : row.Name, row.Cells[0].Value];
            foreach (var cell in row.Cells.Skip(1)) cells.AddRange([cell.Value, cell.Delta, cell.Ratio]);
            return (IReadOnlyList<Cell>)cells;
        }).ToList();
        return new Table(columns, rows);
    }
}
