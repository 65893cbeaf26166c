using System.Globalization;
using System.Text.Json.Nodes;
using ConnBurst.Stages;
using ConnBurst.Results;

namespace ConnBurst.Recording;

/// <summary>
/// A staged run's <c>stages</c> list in its results (docs/results-schema.md, "stages"): per stage its plan, times, counts,
/// latency by phase with each phase's HdrHistogram (encoded as the intervals' are), achieved rate and scheduler lag.
/// One definition for an agent's run and for a merge of agents, which reads the parts back (<see cref="ReadParts"/>)
/// and adds them, histograms added, never averaged.
/// </summary>
internal static class StageResults
{
    public const string Section = "stages";
    /// <summary>Where a staged run keeps the monitor's CPU series (its SAMPLES), to cut its stages' server side from.</summary>
    public const string SamplesSection = "serverSamples";

    /// <summary>
    /// Each stage's server side (<c>server</c>: busiest core, every core's busy %, the process's CPU) cut from the monitor's
    /// samples at the stage's wall-clock start and end, the same instants on every agent. A no-op without samples.
    /// </summary>
    public static void AddServer(JsonArray stages, CpuSamples? samples)
    {
        if (samples is null) return;
        foreach (var stage in stages.OfType<JsonObject>())
        {
            var from = DateTimeOffset.Parse(stage["startAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            var to = DateTimeOffset.Parse(stage["endAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            stage["server"] = samples.Window(from, to);
        }
    }

    /// <summary>The server samples a run carries: its own (a staged burst with --monitor), or those of a monitor result.</summary>
    public static CpuSamples? SamplesOf(ResultsDocument doc) =>
        doc.Kind == "monitor" ? CpuSamples.FromMonitorResult(doc.StartedAt, doc.Section("monitor"))
            : CpuSamples.FromJson(doc.Section(SamplesSection));

    /// <param name="t0">The run's t0 on the wall clock: every agent's stage i starts at t0 + its start.</param>
    /// <param name="wokeLateByAgent">A merge's per-agent lateness at each stage's start (agent → stage → ms), or null.</param>
    public static JsonArray ToJson(StagePlan plan, DateTimeOffset t0, IReadOnlyDictionary<int, StagePart> parts,
        IReadOnlyDictionary<string, IReadOnlyDictionary<int, double?>>? wokeLateByAgent = null)
    {
        var stages = new JsonArray();
        for (int i = 0; i < plan.Count; i++)
        {
            var stage = plan.Stages[i];
            var part = parts.TryGetValue(i, out var p) ? p : new StagePart { Stage = i };
            if (part.Histograms.Length == 0) part.Histograms = BurstPhases.All.Select(_ => LatencyHistograms.Create()).ToArray();
            var c = part.Counters;
            var failed = new JsonObject();
            foreach (var (reason, n) in c.Failures) failed[reason] = n;
            var byKind = new JsonObject();
            foreach (var k in Enum.GetValues<FailureKind>()) byKind[k.Name()] = c.Total(k.Name());
            var latency = new Dictionary<string, LatencySummary>();
            BurstPhases.SummarizeInto(part.Histograms, latency);
            var lag = LatencyHistograms.Summarize(part.Histograms[(int)BurstPhase.SchedulerLag]);
            var seconds = stage.Seconds;
            var o = new JsonObject
            {
                ["number"] = i + 1,
                ["plan"] = stage.ToString(),
                ["targetRate"] = stage.TargetRate,
                ["fromRate"] = stage.From,
                ["toRate"] = stage.To,
                ["startSeconds"] = plan.StartSeconds(i),
                ["endSeconds"] = plan.EndSeconds(i),
                ["startAt"] = t0.AddSeconds(plan.StartSeconds(i)).ToString("O", CultureInfo.InvariantCulture),
                ["endAt"] = t0.AddSeconds(plan.EndSeconds(i)).ToString("O", CultureInfo.InvariantCulture),
                ["counts"] = new JsonObject
                {
                    ["attempted"] = c.Total("attempted"),
                    ["connacks"] = c.Total("connacks"),
                    ["failedTotal"] = Enum.GetValues<FailureKind>().Sum(k => c.Total(k.Name())),
                    ["failed"] = failed,
                    ["failedByKind"] = byKind,
                    ["abandonedAtEnd"] = c.Total("abandonedAtEnd"),
                },
                ["achievedRate"] = Math.Round(c.Total("attempted") / seconds, 3),
                ["connackRate"] = Math.Round(c.Total("connacks") / seconds, 3),
                ["latency"] = System.Text.Json.JsonSerializer.SerializeToNode(latency, ResultsFile.Json),
                ["schedulerLagMs"] = new JsonObject { ["p50"] = lag.P50, ["p99"] = lag.P99, ["max"] = lag.Max, ["avg"] = lag.Avg },
                ["wokeLateMs"] = part.WokeLateMs,
                ["generatorCpuSeconds"] = part.CpuSeconds,
                ["generatorCores"] = part.Cores,
                ["generatorCpuShare"] = part.ShareOf(seconds) is { } share ? Math.Round(share, 4) : null,
                ["histograms"] = new JsonObject(IntervalHistograms.Encode(part.Histograms)
                    .Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            };
            if (wokeLateByAgent is not null)
            {
                o["wokeLateMsByAgent"] = new JsonObject(wokeLateByAgent.Select(a =>
                    KeyValuePair.Create(a.Key, (JsonNode?)(a.Value.TryGetValue(i, out var w) ? w : null))));
            }
            stages.Add(o);
        }
        return stages;
    }

    /// <summary>The parts a results document's <c>stages</c> list holds, for a merge to add; one line on a malformed list.</summary>
    public static Dictionary<int, StagePart> ReadParts(ResultsDocument doc, string source)
    {
        var parts = new Dictionary<int, StagePart>();
        if (doc.Section(Section) is not JsonArray stages) return parts;
        foreach (var node in stages.OfType<JsonObject>())
        {
            var number = (int?)Number(node["number"]) ?? throw new Common.InputException($"merge: {source}: a stage without its number");
            var counts = node["counts"] as JsonObject ?? new JsonObject();
            var snapshot = new CounterSnapshot();
            snapshot.Totals["attempted"] = (long)(Number(counts["attempted"]) ?? 0);
            snapshot.Totals["connacks"] = (long)(Number(counts["connacks"]) ?? 0);
            snapshot.Totals["abandonedAtEnd"] = (long)(Number(counts["abandonedAtEnd"]) ?? 0);
            if (counts["failedByKind"] is JsonObject kinds)
                foreach (var (k, v) in kinds) snapshot.Totals[k] = (long)(Number(v) ?? 0);
            if (counts["failed"] is JsonObject failed)
                foreach (var (k, v) in failed) snapshot.Failures[k] = (long)(Number(v) ?? 0);
            var histograms = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (node["histograms"] is JsonObject hs)
                foreach (var (k, v) in hs) if (v?.GetValue<string>() is { } b64) histograms[k] = b64;
            parts[number - 1] = new StagePart
            {
                Stage = number - 1,
                Counters = snapshot,
                WokeLateMs = Number(node["wokeLateMs"]),
                CpuSeconds = Number(node["generatorCpuSeconds"]),
                Cores = (int)(Number(node["generatorCores"]) ?? 0),
                CpuShare = Number(node["generatorCpuShare"]),
                Histograms = IntervalHistograms.Decode(histograms),
            };
        }
        return parts;
    }

    /// <summary>A JSON number, whether written in this process or read from a file.</summary>
    internal static double? Number(JsonNode? n) => n is JsonValue v
        ? v.TryGetValue<double>(out var d) ? d : v.TryGetValue<long>(out var l) ? l : v.TryGetValue<int>(out var i) ? i : null
        : null;
}
