using System.Globalization;

namespace ConnBurst.Reporting.Tables;

/// <summary>
/// One column of a <see cref="Table"/>: its name, its unit and how its figures print. The format is decided here,
/// once per kind of figure, so a latency prints the same in the text summary, the HTML page and the CLI
/// (BenchmarkDotNet's columns know their name, unit and format). An empty format marks a text column.
/// </summary>
internal sealed record Column(string Name, string Unit, string Format)
{
    /// <summary>What a figure the data does not have prints as.</summary>
    public const string Missing = "n/a";

    public static Column Label(string name) => new(name, "", "");
    /// <summary>Counts print whole and without separators, as the chat benchmark's file and scripts read them.</summary>
    public static Column Count(string name) => new(name, "", "0");
    /// <summary>Latencies, to the microsecond the histograms record: sub-millisecond chat fan-out still shows.</summary>
    public static Column Milliseconds(string name) => new(name, "ms", "0.000");
    public static Column Percent(string name) => new(name, "%", "0.0");
    public static Column Rate(string name) => new(name, "conn/s", "0.#");
    /// <summary>A figure of any kind in a column of mixed ones (compare's rows): three significant digits, up to 0.01.</summary>
    public static Column Figure(string name) => new(name, "", Significant);
    /// <summary>A difference from a baseline: signed, with the figure's digits.</summary>
    public static Column Delta(string name) => new(name, "", SignedSignificant);
    /// <summary>A ratio to a baseline: "1.25x".</summary>
    public static Column Ratio(string name) => new(name, "", "0.00'x'");

    private const string Significant = "sig", SignedSignificant = "+sig";

    public bool IsText => Format.Length == 0;

    /// <summary>The header: the name, with the unit when the table does not say it once for all columns.</summary>
    public string Heading => Unit.Length == 0 ? Name : $"{Name} ({Unit})";

    public string Text(Cell cell) => cell.Text ?? (cell.Number is { } v ? Number(v) : Missing);

    private string Number(double v) => Format switch
    {
        Significant => SignificantDigits(v),
        SignedSignificant => (v >= 0 ? "+" : "") + SignificantDigits(v),
        _ => v.ToString(Format, CultureInfo.InvariantCulture),
    };

    /// <summary>Three significant digits, at most two decimals: how a figure of no fixed kind prints (compare, analyze).</summary>
    public static string SignificantDigits(double v) =>
        v.ToString(Math.Abs(v) >= 100 ? "0" : Math.Abs(v) >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture);

    public string Text(double value) => Text(new Cell(value, null));
}

/// <summary>One table cell: a figure (formatted by its column; null when missing) or a text.</summary>
internal readonly record struct Cell(double? Number, string? Text)
{
    public static implicit operator Cell(double value) => new(value, null);
    public static implicit operator Cell(double? value) => new(value, null);
    public static implicit operator Cell(long value) => new(value, null);
    public static implicit operator Cell(string text) => new(null, text);
}
