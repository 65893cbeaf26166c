using System.Globalization;
using System.Text.Json.Nodes;

namespace ConnBurst.Results;

/// <summary>
/// A finished recording's CPU series on the wall clock (the monitor's <c>SAMPLES</c> reply, docs/monitor-protocol.md):
/// each core's busy %, the machine's, and the watched process's CPU, per sample. What lets a staged run's stages, whose
/// boundaries are wall-clock instants shared by every agent, be cut out of the server's side after the run
/// (<see cref="Window"/>). Made by the monitor (Monitor/MonitorService), read by bursts and merges.
/// </summary>
internal sealed class CpuSamples
{
    public string Label { get; init; } = "";
    public DateTimeOffset StartedAt { get; init; }
    public double IntervalMs { get; init; }
    /// <summary>Each sample's end, seconds after <see cref="StartedAt"/>; it covers the interval before it.</summary>
    public double[] T { get; init; } = [];
    /// <summary>[core][sample] busy % (null: no value).</summary>
    public double?[][] CoreBusy { get; init; } = [];
    public double?[] TotalBusy { get; init; } = [];
    /// <summary>The watched process's CPU, % of one core, or null when no process was watched.</summary>
    public double?[]? ProcessCpu { get; init; }

    public JsonObject ToJson()
    {
        static JsonArray Array(IEnumerable<double?> xs) => new(xs.Select(x => x is { } v ? (JsonNode)Math.Round(v, 2) : null).ToArray());
        return new JsonObject
        {
            ["label"] = Label,
            ["startedAt"] = StartedAt.ToString("O", CultureInfo.InvariantCulture),
            ["intervalMs"] = IntervalMs,
            ["t"] = new JsonArray(T.Select(t => (JsonNode)Math.Round(t, 3)).ToArray()),
            ["coreBusy"] = new JsonArray(CoreBusy.Select(c => (JsonNode)Array(c)).ToArray()),
            ["totalBusy"] = Array(TotalBusy),
            ["processCpu"] = ProcessCpu is null ? null : Array(ProcessCpu),
        };
    }

    public static CpuSamples? FromJson(JsonNode? node)
    {
        if (node is not JsonObject o || o["t"] is not JsonArray t) return null;
        static double?[] Values(JsonNode? a) => a is JsonArray arr ? arr.Select(x => x is JsonValue v && v.TryGetValue<double>(out var d)
            ? (double?)d : null).ToArray() : [];
        return new CpuSamples
        {
            Label = o["label"]?.GetValue<string>() ?? "",
            StartedAt = DateTimeOffset.Parse(o["startedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture),
            IntervalMs = o["intervalMs"]?.GetValue<double>() ?? 1000,
            T = Values(t).Select(x => x ?? 0).ToArray(),
            CoreBusy = o["coreBusy"] is JsonArray cores ? cores.Select(Values).ToArray() : [],
            TotalBusy = Values(o["totalBusy"]),
            ProcessCpu = o["processCpu"] is JsonArray p ? Values(p) : null,
        };
    }

    /// <summary>The same series from a monitor result (kind monitor): its start and its <c>monitor</c> section's t and series.</summary>
    public static CpuSamples? FromMonitorResult(DateTimeOffset startedAt, JsonNode? monitor)
    {
        if (monitor?["t"] is not JsonArray t || monitor["series"]?["cpu"] is not JsonObject cpu) return null;
        static double?[] Values(JsonNode? a) => a is JsonArray arr ? arr.Select(x => x is JsonValue v && v.TryGetValue<double>(out var d)
            ? (double?)d : null).ToArray() : [];
        var cores = cpu.Select(kv => kv.Key).Where(k => k.StartsWith("cpu", StringComparison.Ordinal) && k != "cpu")
            .OrderBy(k => int.TryParse(k[3..], CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue).ToList();
        return new CpuSamples
        {
            Label = monitor["label"]?.GetValue<string>() ?? "",
            StartedAt = startedAt,
            IntervalMs = monitor["intervalMs"] is JsonValue iv && iv.TryGetValue<double>(out var ms) ? ms : 1000,
            T = Values(t).Select(x => x ?? 0).ToArray(),
            CoreBusy = cores.Select(c => Values(cpu[c]?["busy"])).ToArray(),
            TotalBusy = Values(cpu["total"]?["busy"]),
            ProcessCpu = monitor["series"]?["process"]?["cpuPercent"] is JsonArray p ? Values(p) : null,
        };
    }

    /// <summary>
    /// The server's side of [<paramref name="from"/>, <paramref name="to"/>): the samples whose interval lies inside it (a
    /// tenth of an interval's slack each side, for clocks and timers), as the busiest core (the highest busy % any core
    /// had in any of them, what the SLO's "no core above 85%" reads), each core's average and maximum, the machine's
    /// average and the process's CPU. Null when no sample lies inside (a stage shorter than the monitor's interval).
    /// </summary>
    public JsonObject? Window(DateTimeOffset from, DateTimeOffset to)
    {
        var slack = IntervalMs / 10_000.0;
        var inside = new List<int>();
        for (int i = 0; i < T.Length; i++)
        {
            var end = (StartedAt.AddSeconds(T[i]) - from).TotalSeconds;
            var start = end - IntervalMs / 1000.0;
            if (start >= -slack && end <= (to - from).TotalSeconds + slack) inside.Add(i);
        }
        if (inside.Count == 0) return null;
        static double R(double x) => Math.Round(x, 2);
        var perCore = new JsonArray();
        double maxCoreBusy = 0, maxCoreAvg = 0;
        for (int c = 0; c < CoreBusy.Length; c++)
        {
            var xs = inside.Select(i => i < CoreBusy[c].Length ? CoreBusy[c][i] : null).OfType<double>().ToList();
            if (xs.Count == 0) continue;
            maxCoreBusy = Math.Max(maxCoreBusy, xs.Max());
            maxCoreAvg = Math.Max(maxCoreAvg, xs.Average());
            perCore.Add(new JsonObject { ["core"] = c, ["avgBusy"] = R(xs.Average()), ["maxBusy"] = R(xs.Max()) });
        }
        var total = inside.Select(i => i < TotalBusy.Length ? TotalBusy[i] : null).OfType<double>().ToList();
        var process = ProcessCpu is null ? [] : inside.Select(i => i < ProcessCpu.Length ? ProcessCpu[i] : null).OfType<double>().ToList();
        return new JsonObject
        {
            ["samples"] = inside.Count,
            ["maxCoreBusy"] = R(maxCoreBusy),
            ["maxCoreAvgBusy"] = R(maxCoreAvg),
            ["totalAvgBusy"] = total.Count > 0 ? R(total.Average()) : null,
            ["perCore"] = perCore,
            ["processCpuAvgPercent"] = process.Count > 0 ? R(process.Average()) : null,
            ["processCpuMaxPercent"] = process.Count > 0 ? R(process.Max()) : null,
        };
    }
}
