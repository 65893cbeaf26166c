using ConnBurst.Results;

namespace ConnBurst.Reporting.Tables;

/// <summary>
/// The latency table: one row per phase, the figures of its <see cref="LatencySummary"/> as columns. The text
/// summary, the HTML page, the CLI's summaries and the chat benchmark's file all print it from here.
/// </summary>
internal static class LatencyTable
{
    public static readonly Column Phase = Column.Label("phase"), Count = Column.Count("count");
    public static readonly Column Min = Column.Milliseconds("min"), Avg = Column.Milliseconds("avg"), P50 = Column.Milliseconds("p50"),
        P75 = Column.Milliseconds("p75"), P90 = Column.Milliseconds("p90"), P95 = Column.Milliseconds("p95"),
            P99 = Column.Milliseconds("p99"),
        P999 = Column.Milliseconds("p99.9"), Max = Column.Milliseconds("max");

    private static readonly (Column Column, Func<LatencySummary, Cell> Get)[] Figures =
    [
        (Count, s => s.Count), (Min, s => s.Min), (Avg, s => s.Avg), (P50, s => s.P50), (P75, s => s.P75), (P90, s => s.P90),
        (P95, s => s.P95), (P99, s => s.P99), (P999, s => s.P999), (Max, s => s.Max),
    ];

    /// <summary>Every phase of a results document, in its order, with every figure.</summary>
    public static Table Of(IReadOnlyDictionary<string, LatencySummary> latency) => Of(latency.Select(kv => (kv.Key, kv.Value)));

    /// <summary>Rows under their own labels; <paramref name="only"/> keeps those figure columns (all when empty).</summary>
    public static Table Of(IEnumerable<(string Label, LatencySummary Summary)> rows, params Column[] only)
    {
        var figures = only.Length == 0 ? Figures : Figures.Where(f => only.Contains(f.Column)).ToArray();
        return new Table([Phase, .. figures.Select(f => f.Column)],
            rows.Select(r => (IReadOnlyList<Cell>)[r.Label, .. figures.Select(f => f.Get(r.Summary))]).ToList());
    }
}
