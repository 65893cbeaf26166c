using System.Globalization;
using System.Text.Json.Nodes;
using ConnBurst.Load;
using ConnBurst.Recording;
using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;
using HdrHistogram;

namespace ConnBurst.Tests.Load;

/// <summary>
/// Staged runs (<c>burst --stages</c>) against the real Mosquitto: plans refused before load, each stage counted exactly
/// by due time across worker processes, agents' stages merged exactly, a different plan refused, and <c>peak --from</c>
/// naming the peak's stage.
/// </summary>
public sealed class StagedBurstTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData("--stages 100:2s,0:2s", "--stages: stage 2 '0:2s': the rate must be positive")]
    [InlineData("--stages 100:2s,fast:2s", "--stages: stage 2 'fast:2s': 'fast' is not a rate")]
    [InlineData("--stages 100:2s --duration 10s", "--duration: a staged run lasts its stages' total (2s)")]
    [InlineData("--stages 100:2s --rate 50", "--rate: a staged run takes its rates from --stages")]
    [InlineData("--stages 100:2s,300:2s --clients 500", "--clients: 500 clients run out in stage 2")]
    [InlineData("--stages 100:2s,300:2s --clients 200 --linger 1s", "--clients: 200 clients cannot keep stage 2 (300:2s) on schedule")]
    public async Task APlanThatCannotRunIsRefusedInOneLineBeforeLoad(string options, string expected)
    {
        using var dir = new TempDir();
        var r = await CliProcess.RunAsync(RunTimeout, ["burst", "--target", "127.0.0.1:9", "--pki", TestPki.Dir, "--results", dir.Path,
            .. options.Split(' ')]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains(expected, r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.json"));
    }

    [Fact]
    public async Task EachStageCountsTheAttemptsItsRateOfferedAcrossWorkerProcesses()
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        var r = await CliProcess.RunAsync(RunTimeout, "burst", "--target", broker.Target, "--pki", TestPki.Dir, "--stages",
            "40:2s,20..60:2s", "--linger", "1s", "--workers", "2", "--snapshot", "1s", "--timeout", "60s", "--results", dir.Path);
        Assert.True(r.ExitCode == 0, r.ToString());
        var doc = ResultsFile.Read(r.LastLine);
        var stages = Assert.IsType<JsonArray>(doc.Section("stages")).Select(n => n!.AsObject()).ToList();

        // Due times do not move on a busy machine: stage 1 offers exactly 80 attempts, the ramp 20..60 over 2s exactly 80.
        Assert.Equal([80L, 80L], stages.Select(s => Long(s["counts"]!["attempted"])));
        Assert.Equal(doc.Counts.Attempted, stages.Sum(s => Long(s["counts"]!["attempted"])));
        Assert.Equal(doc.Counts.Connacks, stages.Sum(s => Long(s["counts"]!["connacks"])));
        Assert.Equal("40:2s", stages[0]["plan"]!.GetValue<string>());
        Assert.Equal(40, stages[1]["targetRate"]!.GetValue<double>());
        foreach (var s in stages)
        {
            // Each stage's summary is its own histogram's, and every connected attempt of the stage is in it.
            var total = IntervalHistograms.Decode(Histograms(s))[(int)BurstPhase.Total];
            Assert.Equal(Long(s["counts"]!["connacks"]), total.TotalCount);
            Assert.Equal(total.TotalCount, Long(s["latency"]!["total"]!["count"]));
            Assert.Equal(LatencyHistograms.PercentileMs(total, 99), s["latency"]!["total"]!["p99"]!.GetValue<double>());
            Assert.Equal(40.0, s["achievedRate"]!.GetValue<double>());
            Assert.NotNull(s["wokeLateMs"]);
            Assert.True(s["generatorCpuSeconds"]!.GetValue<double>() > 0);
        }
    }

    [Fact]
    public async Task AgentsStagesMergeExactlyAndPeakFromNamesTheStage()
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        const string plan = "30:2s,60:2s,90:2s";
        var startAt = StartTime.Format(DateTimeOffset.UtcNow.AddSeconds(8));
        var agents = Enumerable.Range(0, 2).Select(i => CliProcess.Start("burst", "--target", broker.Target, "--pki", TestPki.Dir,
            "--stages", plan, "--linger", "1s", "--timeout", "60s", "--snapshot", "1s", "--shard", $"{i}/2", "--start-at", startAt,
            "--results", dir.Combine($"agent{i}"))).ToList();
        var runs = new List<CliResult>();
        foreach (var a in agents) { using (a) runs.Add(await a.WaitAsync(RunTimeout)); }
        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.ToString()));
        var docs = runs.Select(r => ResultsFile.Read(r.LastLine)).ToList();

        var merge = await CliProcess.RunAsync(RunTimeout, "merge", dir.Combine("agent0"), dir.Combine("agent1"), "--out",
            dir.Combine("merged.json"));
        Assert.True(merge.ExitCode == 0, merge.ToString());
        var merged = ResultsFile.Read(merge.LastLine);
        var stages = Assert.IsType<JsonArray>(merged.Section("stages")).Select(n => n!.AsObject()).ToList();
        Assert.Equal([60L, 120L, 180L], stages.Select(s => Long(s["counts"]!["attempted"])));
        for (int i = 0; i < stages.Count; i++)
        {
            var parts = docs.Select(d => d.Section("stages")![i]!.AsObject()).ToList();
            foreach (var key in new[] { "attempted", "connacks", "failedTotal" })
                Assert.Equal(parts.Sum(p => Long(p["counts"]![key])), Long(stages[i]["counts"]![key]));
            // The merged percentiles are those of one histogram of both agents' values for the stage, added independently.
            var independent = new LongHistogram(1, LatencyHistograms.HighestTrackableMicros, LatencyHistograms.SignificantDigits);
            foreach (var p in parts)
            {
                var h = LatencyHistograms.Create();
                HistogramLogDecoder.AddInto(h, Histograms(p)["total"]);
                independent.Add(h);
            }
            Assert.Equal(independent.TotalCount, Long(stages[i]["latency"]!["total"]!["count"]));
            Assert.Equal(independent.GetValueAtPercentile(50) / 1000.0, stages[i]["latency"]!["total"]!["p50"]!.GetValue<double>());
            Assert.Equal(independent.GetValueAtPercentile(99) / 1000.0, stages[i]["latency"]!["total"]!["p99"]!.GetValue<double>());
            Assert.Equal(["0/2", "1/2"], stages[i]["wokeLateMsByAgent"]!.AsObject().Select(kv => kv.Key));
        }

        // peak --from the agents' results: merged first, every stage judged, the peak a stage of the plan.
        var peak = await CliProcess.RunAsync(RunTimeout, "peak", "--from", dir.Combine("agent0"), dir.Combine("agent1"), "--results",
            dir.Combine("peak"));
        Assert.True(peak.ExitCode == 0, peak.ToString());
        var peakDoc = ResultsFile.Read(peak.LastLine);
        Assert.Equal("peak", peakDoc.Kind);
        var section = peakDoc.Section("peak")!;
        Assert.Equal("staircase", section["method"]!.GetValue<string>());
        Assert.Equal(3, section["steps"]!.AsArray().Count);
        Assert.Matches(@"stage [123]", section["verdict"]!.GetValue<string>());
        Assert.Contains(section["rate"]!.GetValue<double>(), new[] { 0.0, 30, 60, 90 });
        if (section["rate"]!.GetValue<double>() > 0) Assert.Contains("<- peak", peak.Stdout);

        // report shows a staged run's staircase, compare its stages side by side.
        var report = await CliProcess.RunAsync(RunTimeout, "report", merge.LastLine, "--html", dir.Combine("merged.html"));
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Contains("Stages (the staircase", File.ReadAllText(dir.Combine("merged.html")));
        var compare = await CliProcess.RunAsync(RunTimeout, "compare", Path(docs[0]), Path(docs[1]), "--html", dir.Combine("c.html"));
        Assert.True(compare.ExitCode == 0, compare.ToString());
        Assert.Contains("stage 3 (90:2s) achieved", compare.Stdout);

        // An agent of another plan is refused, naming the first stage that differs.
        var changed = ResultsFile.Read(docs[1].Section("files")!["results"]!.GetValue<string>());
        changed.Config["stages"] = "30:2s,70:2s,90:2s";
        ResultsFile.Write(changed, dir.Combine("other"), "other.json");
        var refused = await CliProcess.RunAsync(RunTimeout, "merge", dir.Combine("agent0"), dir.Combine("other"));
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("stage 2 is 70:2s, the first's is 60:2s", refused.Stderr);
        Assert.Single(refused.Stderr.Trim().Split('\n'));
    }

    private static string Path(ResultsDocument d) => d.Section("files")!["results"]!.GetValue<string>();

    private static long Long(JsonNode? n) => n!.GetValue<long>();

    private static SortedDictionary<string, string> Histograms(JsonObject stage) =>
        new(stage["histograms"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>()), StringComparer.Ordinal);
}
