using System.Text.Json.Nodes;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Sections;

/// <summary>
/// The per-core CPU series of a monitor recording, for the "server CPU per core over time" chart: read from a
/// monitor result's "monitor" section (times in <c>monitor.t</c>, core N's busy % in <c>monitor.series.cpu.cpuN.busy</c>;
/// written by ConnBurst.Monitor.MonitorJson).
/// </summary>
internal sealed record CpuSeries(double[] Seconds, IReadOnlyList<(string Name, double[] Busy)> Cores, double[]? Total)
{
    public static CpuSeries? Of(ResultsDocument doc)
    {
        if (doc.Section("monitor") is not JsonObject m || m["t"] is not JsonArray t || m["series"]?["cpu"] is not JsonObject cpu)
            return null;
        var seconds = Values(t);
        var cores = cpu.Where(kv => kv.Key.StartsWith("cpu", StringComparison.Ordinal) && kv.Value?["busy"] is JsonArray)
            .Select(kv => (Name: kv.Key, Busy: Values((JsonArray)kv.Value!["busy"]!),
            Index: int.TryParse(kv.Key[3..], out var i) ? i : int.MaxValue))
            .OrderBy(c => c.Index).Select(c => (c.Name, c.Busy)).ToList();
        if (cores.Count == 0 || seconds.Length == 0) return null;
        var total = cpu["total"]?["busy"] is JsonArray ta ? Values(ta) : null;
        return new CpuSeries(seconds, cores, total);
    }

    /// <summary>A JSON number array; nulls (no value that interval) become NaN, which charts leave out.</summary>
    private static double[] Values(JsonArray a) =>
        a.Select(n => n is JsonValue v && v.TryGetValue<double>(out var d) ? d : double.NaN).ToArray();
}
