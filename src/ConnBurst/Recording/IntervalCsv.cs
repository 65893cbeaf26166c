using System.Globalization;

namespace ConnBurst.Recording;

/// <summary>
/// The interval CSV: per snapshot, one "counts" row (rates and counts) and one "latency" row (the interval's own
/// percentiles, ms). Both row kinds share one header; each leaves the other's columns empty. Flushed per row.
/// </summary>
internal sealed class IntervalCsv : IDisposable
{
    private static readonly string[] CountColumns =
        ["attempted", "connacks", "failed", "timedOut", "connectedNow", "attemptsPerSec", "connacksPerSec", "schedulerLagP99Ms",
            "schedulerLagMaxMs"];
    private static readonly string[] LatencyColumns =
        ["tcp_p50", "tcp_p99", "tls_p50", "tls_p99", "connack_p50", "connack_p99", "total_min", "total_p50", "total_p90", "total_p99",
            "total_max", "total_count"];

    private readonly Common.LineFile _out;

    public string Path { get; }

    public IntervalCsv(string path)
    {
        Path = path;
        _out = new Common.LineFile(path);
        _out.WriteLine(string.Join(',', ["t", "row", .. CountColumns, .. LatencyColumns]));
    }

    public void Write(double t, IReadOnlyDictionary<string, double> values)
    {
        var head = t.ToString("0.###", CultureInfo.InvariantCulture);
        // Both rows in one write: an interval is in the file whole or not at all.
        _out.Write(string.Join(',', [head, "counts", .. CountColumns.Select(c => Cell(values, c)), .. LatencyColumns.Select(_ => "")])
            + "\n" +
                   string.Join(',', [head, "latency", .. CountColumns.Select(_ => ""), .. LatencyColumns.Select(c => Cell(values, c))])
                   + "\n");
    }

    private static string Cell(IReadOnlyDictionary<string, double> values, string column) =>
        values.TryGetValue(column, out var v) ? v.ToString("0.###", CultureInfo.InvariantCulture) : "";

    public void Dispose() => _out.Dispose();
}
