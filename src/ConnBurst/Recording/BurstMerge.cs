using System.Globalization;
using System.Text.Json.Nodes;
using ConnBurst.Common;
using HdrHistogram;
using ConnBurst.Results;

namespace ConnBurst.Recording;

/// <summary>
/// <c>connburst merge</c>: the agents' results of one sharded plan (<c>burst --shard I/N</c>) joined into one burst
/// results document, exactly. Histograms are added from the agents' interval histograms, never averaged from
/// percentiles; counts are summed; intervals are aligned on the common t0; each agent's generator facts are kept.
/// A file operation only: agents never talk to each other or to a controller (DESIGN.md decision 10).
/// </summary>
internal static class BurstMerge
{
    /// <summary>Config keys that legitimately differ between agents of one plan: where each ran and how, not what load.</summary>
    private static readonly HashSet<string> PerAgentKeys =
        new(["shard", "workers", "sourceIps", "pki", "clientCert", "monitor", "graphite", "behindThresholdMs"], StringComparer.Ordinal);

    public sealed record Input(ResultsDocument Doc, string Source);

    /// <summary>An agent's shard as its results record it (Load.Shard is the arithmetic; this only names and orders).</summary>
    private readonly record struct Part(int Index, int Count)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
    }

    /// <summary>Merges <paramref name="inputs"/> (burst agents, at most one monitor result); bad input is one <see cref="InputException"/>
    /// line.</summary>
    public static ResultsDocument Merge(IReadOnlyList<Input> inputs, bool allowMissing)
    {
        var monitors = inputs.Where(i => i.Doc.Kind == "monitor").ToList();
        if (monitors.Count > 1)
        {
            throw new InputException(
                $"merge: two monitor results ({monitors[0].Source}, {monitors[1].Source}); give the one that watched this run");
        }
        var other = inputs.FirstOrDefault(i => i.Doc.Kind is not ("burst" or "monitor"));
        if (other is not null)
            throw new InputException($"merge: {other.Source} is a {other.Doc.Kind} run; merge joins burst agents' runs of one plan");
        var agents = inputs.Where(i => i.Doc.Kind == "burst").Select(i => (Input: i, Shard: ShardOf(i))).OrderBy(a => a.Shard.Index)
            .ToList();
        if (agents.Count == 0) throw new InputException("merge: no burst results among the inputs");

        var n = agents[0].Shard.Count;
        foreach (var a in agents.Where(a => a.Shard.Count != n))
        {
            throw new InputException(
                $"merge: shards of different N: {agents[0].Input.Source} is {agents[0].Shard}, {a.Input.Source} is {a.Shard}");
        }
        for (int i = 1; i < agents.Count; i++)
        {
            if (agents[i].Shard.Index == agents[i - 1].Shard.Index)
            {
                throw new InputException(
                    $"merge: shard {agents[i].Shard} given twice: {agents[i - 1].Input.Source} and {agents[i].Input.Source}");
            }
        }

        var stagePlan = StagePlanOf(agents[0].Input);
        foreach (var a in agents.Skip(1))
        {
            if (FirstStageDifference(stagePlan, StagePlanOf(a.Input)) is { } diff)
                throw new InputException($"merge: {a.Input.Source} has another stage plan than {agents[0].Input.Source}: {diff}");
        }
        var plan = PlanOf(agents[0].Input.Doc);
        foreach (var a in agents.Skip(1))
        {
            if (FirstDifference(plan, PlanOf(a.Input.Doc)) is { } diff)
                throw new InputException($"merge: {a.Input.Source} is a different plan from {agents[0].Input.Source}: {diff}");
        }

        var present = agents.Select(a => a.Shard.Index).ToHashSet();
        var missing = Enumerable.Range(0, n).Where(i => !present.Contains(i)).ToList();
        if (missing.Count > 0 && !allowMissing)
        {
            throw new InputException(
                $"merge: shard(s) {string.Join(", ", missing.Take(10).Select(i => $"{i}/{n}"))}{(missing.Count > 10 ? ", ..." : "")} " +
                $"missing; give every agent's results, or --allow-missing");
        }

        var docs = agents.Select(a => a.Input.Doc).ToList();
        var t0 = docs[0].Config["startAt"]?.GetValue<string>() is { } s ? DateTimeOffset.Parse(s, CultureInfo.InvariantCulture)
            : docs.Min(d => d.StartedAt);
        var period = Durations.Parse(docs[0].Config["snapshot"]?.GetValue<string>() ?? "4s", "snapshot").TotalSeconds;

        var merged = new ResultsDocument
        {
            Kind = "burst",
            StartedAt = t0,
            EndedAt = docs.Max(d => d.EndedAt),
            Outcome = OutcomeOf(docs, missing.Count > 0),
            Machine = docs[0].Machine,
            Config = MergedConfig(docs[0].Config, docs, n),
        };
        SumCounts(docs, merged.Counts);
        var cumulative = MergeIntervals(agents.Select(a => a.Input).ToList(), t0, period, merged);
        BurstPhases.SummarizeInto(cumulative, merged.Latency);
        merged.Sections["generator"] = MergedGenerator(docs, cumulative[(int)BurstPhase.SchedulerLag], merged.Counts.Attempted);
        if (stagePlan is not null)
        {
            var stages = MergedStages(stagePlan, t0, agents);
            // The server's side: a monitor result given to merge, else the shared recording an agent brought back.
            StageResults.AddServer(stages, monitors.Count == 1 ? StageResults.SamplesOf(monitors[0].Doc)
                : docs.Select(StageResults.SamplesOf).FirstOrDefault(x => x is not null));
            merged.Sections[StageResults.Section] = stages;
            if (docs.Select(d => d.Section(StageResults.SamplesSection)).FirstOrDefault(x => x is not null) is { } samples)
                merged.Sections[StageResults.SamplesSection] = samples.DeepClone();
        }
        merged.Sections["agents"] = new JsonArray(agents.Select(a => (JsonNode)AgentFacts(a.Input, a.Shard)).ToArray());
        merged.Sections["shards"] = new JsonObject
        {
            ["count"] = n,
            ["present"] = new JsonArray(agents.Select(a => (JsonNode)a.Shard.Index).ToArray()),
            ["missing"] = new JsonArray(missing.Select(i => (JsonNode)i).ToArray()),
        };
        if (docs.Select(d => d.Section("server")).FirstOrDefault(x => x is not null) is { } server)
            merged.Sections["server"] = server.DeepClone();
        if (monitors.Count == 1 && monitors[0].Doc.Section("monitor") is { } monitor)
        {
            merged.Sections["monitor"] = monitor.DeepClone();
            merged.Sections["monitorSource"] = monitors[0].Source;
        }
        return merged;
    }

    /// <summary>An agent's stage plan (null: not a staged run); one line when it does not parse.</summary>
    private static Stages.StagePlan? StagePlanOf(Input i) =>
        i.Doc.Config["stages"]?.GetValue<string>() is { } text ? Stages.StagePlan.Parse(text, $"merge: {i.Source}: stages") : null;

    /// <summary>The first stage in which two plans differ, named for the user, or null when they are the same.</summary>
    private static string? FirstStageDifference(Stages.StagePlan? a, Stages.StagePlan? b)
    {
        if (a is null && b is null) return null;
        if (a is null || b is null) return a is null ? $"it is staged ({b}), the first is not" : $"it is not staged, the first is ({a})";
        for (int i = 0; i < Math.Max(a.Count, b.Count); i++)
        {
            if (i >= a.Count) return $"it has a stage {i + 1} ({b.Stages[i]}) the first does not";
            if (i >= b.Count) return $"it has no stage {i + 1} (the first has {a.Stages[i]})";
            if (a.Stages[i] != b.Stages[i]) return $"stage {i + 1} is {b.Stages[i]}, the first's is {a.Stages[i]}";
        }
        return null;
    }

    /// <summary>Every agent's parts of each stage added (histograms added, counts summed), with each agent's lateness kept.</summary>
    private static JsonArray MergedStages(Stages.StagePlan plan, DateTimeOffset t0, IEnumerable<(Input Input, Part Shard)> agents)
    {
        var sums = new Dictionary<int, StagePart>();
        var late = new SortedDictionary<string, IReadOnlyDictionary<int, double?>>(StringComparer.Ordinal);
        foreach (var (input, shard) in agents)
        {
            var parts = StageResults.ReadParts(input.Doc, input.Source);
            late[shard.ToString()] = parts.ToDictionary(kv => kv.Key, kv => kv.Value.WokeLateMs);
            foreach (var (i, part) in parts)
            {
                if (i >= plan.Count) throw new InputException($"merge: {input.Source}: stage {i + 1} is not in its plan");
                if (sums.TryGetValue(i, out var sum)) sum.Add(part);
                else sums[i] = part;
            }
        }
        return StageResults.ToJson(plan, t0, sums, late);
    }

    private static Part ShardOf(Input i)
    {
        var s = i.Doc.Config["shard"] as JsonObject;
        if (s is null) return new Part(0, 1); // a run made without --shard is the whole plan, 0/1
        return new Part((int)Num(s["index"]), s["count"] is { } c ? (int)Num(c) : 1);
    }

    private static JsonObject PlanOf(ResultsDocument d)
    {
        var plan = new JsonObject();
        foreach (var (k, v) in d.Config)
            if (!PerAgentKeys.Contains(k)) plan[k] = v?.DeepClone();
        if (plan["clientList"] is JsonObject cl) cl.Remove("path"); // the same list may sit at another path on each agent
        return plan;
    }

    private static string? FirstDifference(JsonObject a, JsonObject b)
    {
        foreach (var key in a.Select(kv => kv.Key).Union(b.Select(kv => kv.Key)).Order(StringComparer.Ordinal))
        {
            var x = a[key];
            var y = b[key];
            if (!JsonNode.DeepEquals(x, y)) return $"{key} {Show(y)} vs {Show(x)}";
        }
        return null;
    }

    private static string Show(JsonNode? n) => n?.ToJsonString() ?? "(none)";

    private static string OutcomeOf(IReadOnlyList<ResultsDocument> docs, bool missing)
    {
        if (missing) return "partial";
        foreach (var worst in new[] { "failed", "peer-lost", "interrupted" })
            if (docs.Any(d => d.Outcome == worst)) return worst;
        return docs.All(d => d.Outcome == "completed") ? "completed" : docs.First(d => d.Outcome != "completed").Outcome;
    }

    private static JsonObject MergedConfig(JsonObject first, IReadOnlyList<ResultsDocument> docs, int n)
    {
        var config = PlanOf(new ResultsDocument { Config = first });
        config["shard"] = new JsonObject { ["count"] = n, ["merged"] = docs.Count };
        config["workers"] = (int)docs.Sum(d => d.Config["workers"] is { } w ? Num(w) : 1);
        config["agents"] = docs.Count;
        return config;
    }

    private static void SumCounts(IEnumerable<ResultsDocument> docs, Counts into)
    {
        foreach (var c in docs.Select(d => d.Counts))
        {
            into.Attempted += c.Attempted;
            into.Connected += c.Connected;
            into.Connacks += c.Connacks;
            foreach (var (k, v) in c.Failed) into.Failed[k] = into.Failed.GetValueOrDefault(k) + v;
            foreach (var (k, v) in c.Other) into.Other[k] = into.Other.GetValueOrDefault(k) + v;
        }
    }

    /// <summary>
    /// Aligns every agent's intervals on the common t0 (bucket k covers [k·period, (k+1)·period) after it), merges
    /// each bucket's histograms and sums its counters, and returns the cumulative histograms of the whole run.
    /// </summary>
    private static LongHistogram[] MergeIntervals(IReadOnlyList<Input> agents, DateTimeOffset t0, double period, ResultsDocument merged)
    {
        var cumulative = BurstPhases.All.Select(_ => LatencyHistograms.Create()).ToArray();
        var buckets = new SortedDictionary<int, (LongHistogram[] H, SortedDictionary<string, double> V, double End, double TickLag)>();
        foreach (var agent in agents)
        {
            var offset = (agent.Doc.StartedAt - t0).TotalSeconds;
            long intervalTotal = 0;
            foreach (var iv in agent.Doc.Intervals)
            {
                if (iv.Histograms is null)
                {
                    throw new InputException(
                        $"merge: {agent.Source} has no interval histograms (written by an older connburst); it cannot be merged exactly");
                }
                var end = iv.Seconds + offset;
                var k = Math.Max(0, (int)Math.Ceiling(end / period - 1e-6) - 1);
                if (!buckets.TryGetValue(k, out var b))
                {
                    b = (BurstPhases.All.Select(_ => LatencyHistograms.Create()).ToArray(), new SortedDictionary<string,
                        double>(StringComparer.Ordinal), 0, 0);
                }
                var h = IntervalHistograms.Decode(iv.Histograms);
                for (int i = 0; i < h.Length; i++) b.H[i].Add(h[i]);
                intervalTotal += h[(int)BurstPhase.Total].TotalCount;
                foreach (var (key, v) in iv.Values) b.V[key] = b.V.GetValueOrDefault(key) + v;
                buckets[k] = (b.H, b.V, Math.Max(b.End, end), Math.Max(b.TickLag, iv.Values.GetValueOrDefault("schedulerLagMaxMs")));
            }
            var expected = agent.Doc.Latency.TryGetValue("total", out var t) ? t.Count : 0;
            if (intervalTotal != expected)
            {
                throw new InputException(
                    $"merge: {agent.Source}: its intervals hold {intervalTotal} total-latency values but its summary {expected}; the " +
                    $"file is incomplete or edited");
            }
        }
        foreach (var (_, b) in buckets)
        {
            // Sums are right for counters, rates and connectedNow; the histogram figures are recomputed over the merge.
            BurstAggregator.PutHistogramValues(b.H, b.TickLag, b.V);
            merged.Intervals.Add(new IntervalSnapshot { Seconds = Math.Round(b.End, 3), Values = b.V,
                Histograms = IntervalHistograms.Encode(b.H) });
            for (int i = 0; i < b.H.Length; i++) cumulative[i].Add(b.H[i]);
        }
        return cumulative;
    }

    private static JsonObject MergedGenerator(IReadOnlyList<ResultsDocument> docs, HistogramBase lagHistogram, long attempted)
    {
        var gens = docs.Select(d => d.Section("generator") as JsonObject).OfType<JsonObject>().ToList();
        double Sum(string key) => gens.Sum(g => Num(g[key]));
        double Max(string key) => gens.Count == 0 ? 0 : gens.Max(g => Num(g[key]));
        var lag = LatencyHistograms.Summarize(lagHistogram);
        var cpu = Sum("cpuSeconds");
        return new JsonObject
        {
            ["agents"] = docs.Count,
            ["workers"] = (int)Sum("workers"),
            ["cpuSeconds"] = Math.Round(cpu, 3),
            ["cpuMsPerAttempt"] = Math.Round(cpu * 1000 / Math.Max(1, attempted), 3),
            ["rssBytes"] = (long)Sum("rssBytes"),
            ["peakRssBytes"] = (long)Sum("peakRssBytes"),
            ["schedulerLagMs"] = new JsonObject
            {
                ["p50"] = lag.P50, ["p99"] = lag.P99, ["p999"] = lag.P999, ["max"] = Math.Max(lag.Max, Max("maxTickLagMs")),
                    ["avg"] = lag.Avg,
            },
            ["maxTickLagMs"] = Max("maxTickLagMs"),
            ["behindThresholdMs"] = Max("behindThresholdMs"),
            ["behindIntervals"] = (int)Sum("behindIntervals"),
            ["fellBehind"] = gens.Any(g => g["fellBehind"]?.GetValue<bool>() == true),
        };
    }

    /// <summary>A JSON number, whether it was written in this process (any CLR numeric type) or read from a file.</summary>
    private static double Num(JsonNode? n) => n is JsonValue v
        ? v.TryGetValue<double>(out var d) ? d : v.TryGetValue<long>(out var l) ? l : v.TryGetValue<int>(out var i) ? i : 0
        : 0;

    private static JsonObject AgentFacts(Input i, Part shard) => new()
    {
        ["shard"] = shard.ToString(),
        ["source"] = i.Source,
        ["outcome"] = i.Doc.Outcome,
        ["startedAt"] = i.Doc.StartedAt.ToString("O", CultureInfo.InvariantCulture),
        ["endedAt"] = i.Doc.EndedAt.ToString("O", CultureInfo.InvariantCulture),
        ["host"] = i.Doc.Section("agent")?["host"]?.DeepClone(),
        ["start"] = i.Doc.Section("agent")?.DeepClone(),
        ["sourceIps"] = i.Doc.Config["sourceIps"]?.DeepClone(),
        ["workers"] = i.Doc.Config["workers"]?.DeepClone(),
        ["counts"] = new JsonObject
        {
            ["attempted"] = i.Doc.Counts.Attempted,
            ["connacks"] = i.Doc.Counts.Connacks,
            ["connected"] = i.Doc.Counts.Connected,
            ["failed"] = i.Doc.Counts.Failed.Values.Sum(),
        },
        ["generator"] = i.Doc.Section("generator")?.DeepClone(),
        ["machine"] = System.Text.Json.JsonSerializer.SerializeToNode(i.Doc.Machine, ResultsFile.Json),
    };
}
