using System.Text.Json.Nodes;
using ConnBurst.Common;
using ConnBurst.Recording;
using ConnBurst.Reporting;
using HdrHistogram;
using ConnBurst.Results;

namespace ConnBurst.Tests.Recording;

/// <summary>Merging agents' results: exact histograms, summed counts, aligned intervals, and one-line refusals.</summary>
public sealed class BurstMergeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 23, 0, 0, TimeSpan.Zero);

    /// <summary>An agent's results as burst writes them, through the real aggregator, from the given latencies (µs) per
    /// interval.</summary>
    private static ResultsDocument Agent(int index, int count, long[][] intervals, Action<JsonObject>? editConfig = null)
    {
        using var agg = new BurstAggregator(1, 100, T0, null, null);
        for (int i = 0; i < intervals.Length; i++)
        {
            var rec = new PhaseRecorders();
            var counters = new BurstCounters();
            foreach (var v in intervals[i])
            {
                rec.Record(BurstPhase.Total, v);
                rec.Record(BurstPhase.Tls, v / 2);
                counters.Attempt();
                counters.Connacked();
            }
            if (i == 0) { counters.Attempt(); counters.Failed(FailureKind.Timeout, "timeout"); }
            var line = new IntervalReport { Index = i, EndSeconds = i + 1, Final = i == intervals.Length - 1,
                Counters = counters.TakeDelta(), Histograms = rec.TakeInterval() }.ToLine();
            Assert.True(IntervalReport.TryParse(line, out var r));
            agg.Add(r);
        }
        var doc = new ResultsDocument
        {
            Kind = "burst",
            StartedAt = T0,
            Config = new JsonObject
            {
                ["target"] = "198.18.0.1:8884", ["clients"] = 3000, ["rate"] = 300, ["snapshot"] = "1s",
                    ["startAt"] = "2026-12-01T23:00:00.000Z",
                ["shard"] = new JsonObject { ["index"] = index, ["count"] = count }, ["sourceIps"] = $"198.18.{index}.1", ["workers"] = 1,
            },
        };
        editConfig?.Invoke(doc.Config);
        agg.Fill(doc, 0);
        return doc;
    }

    private static long[][] Values(int seed, int intervals, int min, int max)
    {
        var rnd = new Random(seed);
        return Enumerable.Range(0, intervals).Select(_
            => Enumerable.Range(0, rnd.Next(50, 400)).Select(_ => (long)rnd.Next(min, max)).ToArray()).ToArray();
    }

    [Fact]
    public void MergedPercentilesEqualOneHistogramOfEveryAgentsValues()
    {
        var a = Values(1, 5, 1_000, 20_000);
        var b = Values(2, 5, 2_000, 40_000);
        var c = Values(3, 4, 300_000, 900_000); // a slow agent: averaging percentiles would be far off
        var merged = BurstMerge.Merge([new(Agent(0, 3, a), "a"), new(Agent(1, 3, b), "b"), new(Agent(2, 3, c), "c")], allowMissing: false);

        var all = new LongHistogram(1, 600_000_000, 3);
        foreach (var v in a.Concat(b).Concat(c).SelectMany(x => x)) all.RecordValue(v);
        var total = merged.Latency["total"];
        Assert.Equal(all.TotalCount, total.Count);
        Assert.Equal(all.GetValueAtPercentile(50) / 1000.0, total.P50);
        Assert.Equal(all.GetValueAtPercentile(99) / 1000.0, total.P99);
        Assert.Equal(all.GetValueAtPercentile(99.9) / 1000.0, total.P999);
        Assert.Equal(all.GetMaxValue() / 1000.0, total.Max);

        var n = a.Concat(b).Concat(c).Sum(x => x.Length);
        Assert.Equal(n + 3, merged.Counts.Attempted);
        Assert.Equal(n, merged.Counts.Connacks);
        Assert.Equal(3, merged.Counts.Failed["timeout"]);
        Assert.Equal("completed", merged.Outcome);

        // Interval k holds every agent's interval k: counts summed, percentiles from the merged histograms.
        Assert.Equal(5, merged.Intervals.Count);
        Assert.Equal(a[0].Length + b[0].Length + c[0].Length, merged.Intervals[0].Values["connacks"]);
        Assert.Equal(a[4].Length + b[4].Length, merged.Intervals[4].Values["connacks"]);
        var first = new LongHistogram(1, 600_000_000, 3);
        foreach (var v in a[0].Concat(b[0]).Concat(c[0])) first.RecordValue(v);
        Assert.Equal(first.GetValueAtPercentile(99) / 1000.0, merged.Intervals[0].Values["total_p99"]);

        Assert.Equal(3, merged.Section("agents")!.AsArray().Count);
        Assert.Equal(3, merged.Section("shards")!["count"]!.GetValue<int>());
        Assert.Empty(merged.Section("shards")!["missing"]!.AsArray());
    }

    [Fact]
    public void AMergedFileMergesAgainAndSurvivesItsOwnJson()
    {
        var merged = BurstMerge.Merge([new(Agent(0, 2, Values(4, 3, 1000, 9000)), "a"), new(Agent(1, 2, Values(5, 3, 1000, 9000)), "b")],
            false);
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var back = ResultsFile.Read(ResultsFile.Write(merged, dir.FullName));
            Assert.Equal(merged.Latency["total"].P99, back.Latency["total"].P99);
            Assert.Equal(merged.Counts.Connacks, back.Counts.Connacks);
            Assert.All(back.Intervals, i => Assert.NotNull(i.Histograms));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void BadCombinationsAreRefusedInOneLine()
    {
        var v = Values(6, 2, 1000, 5000);
        string Refusal(params BurstMerge.Input[] inputs) => Assert.Throws<InputException>(() => BurstMerge.Merge(inputs, false)).Message;

        Assert.Contains("shard 1/2 given twice", Refusal(new(Agent(1, 2, v), "x"), new(Agent(1, 2, v), "y")));
        Assert.Contains("shards of different N", Refusal(new(Agent(0, 2, v), "x"), new(Agent(1, 3, v), "y")));
        Assert.Contains("different plan", Refusal(new(Agent(0, 2, v), "x"), new(Agent(1, 2, v, c => c["rate"] = 600), "y")));
        Assert.Contains("rate 600 vs 300", Refusal(new(Agent(0, 2, v), "x"), new(Agent(1, 2, v, c => c["rate"] = 600), "y")));
        Assert.Contains("target", Refusal(new(Agent(0, 2, v), "x"), new(Agent(1, 2, v, c => c["target"] = "198.18.0.2:8884"), "y")));
        Assert.Contains("shard(s) 1/2 missing", Refusal(new BurstMerge.Input(Agent(0, 2, v), "x")));
        var chat = Agent(1, 2, v);
        chat.Kind = "chat";
        Assert.Contains("is a chat run", Refusal(new(Agent(0, 2, v), "x"), new(chat, "y")));
        Assert.DoesNotContain('\n', Refusal(new BurstMerge.Input(Agent(0, 2, v), "x")));
    }

    [Fact]
    public void AMissingShardIsAllowedOnlyWhenAskedAndThenNamed()
    {
        var merged = BurstMerge.Merge([new(Agent(0, 3, Values(7, 2, 1000, 5000)), "a"), new(Agent(2, 3, Values(8, 2, 1000, 5000)), "c")],
            allowMissing: true);
        Assert.Equal("partial", merged.Outcome);
        Assert.Equal([1], merged.Section("shards")!["missing"]!.AsArray().Select(x => x!.GetValue<int>()));
    }

    [Fact]
    public void PerAgentFactsMayDifferButStayRecordedPerAgent()
    {
        var v = Values(9, 2, 1000, 5000);
        var merged = BurstMerge.Merge([new(Agent(0, 2, v), "a"), new(Agent(1, 2, v, c => c["workers"] = 4), "b")], false);
        var agents = merged.Section("agents")!.AsArray();
        Assert.Equal("198.18.0.1", agents[0]!["sourceIps"]!.GetValue<string>());
        Assert.Equal("198.18.1.1", agents[1]!["sourceIps"]!.GetValue<string>());
        Assert.Equal(5, merged.Config["workers"]!.GetValue<int>());
    }
}
