using System.Text.RegularExpressions;
using ConnBurst.Load;
using ConnBurst.Recording;
using ConnBurst.Reporting;
using ConnBurst.Tests.Infrastructure;
using HdrHistogram;
using ConnBurst.Results;

namespace ConnBurst.Tests.Load;

/// <summary>
/// Three agents as plain processes (<c>--shard 0/3, 1/3, 2/3</c>, one <c>--start-at</c>) against the real Mosquitto
/// with the 10K CRL, merged with <c>connburst merge</c>: the sums, the client ids, and the exact percentiles.
/// </summary>
public sealed partial class ShardedBurstTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ThreeAgentsMergeIntoTheirSumsWithDistinctClientIdsAndExactPercentiles()
    {
        using var broker = new MosquittoBroker(logConnections: true);
        using var dir = new TempDir();
        var startAt = StartTime.Format(DateTimeOffset.UtcNow.AddSeconds(8));
        var agents = Enumerable.Range(0, 3).Select(i => CliProcess.Start(
            "burst", "--target", broker.Target, "--pki", TestPki.Dir, "--clients", "600", "--rate", "150", "--connect-timeout", "60s",
            "--interval",
            "1s",
            "--shard", $"{i}/3", "--start-at", startAt, "--out", dir.Combine($"agent{i}"))).ToList();
        var runs = new List<CliResult>();
        foreach (var a in agents) { using (a) runs.Add(await a.WaitAsync(RunTimeout)); }
        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.ToString()));
        var docs = runs.Select(r => ResultsFile.Read(r.LastLine)).ToList();

        var merge = await CliProcess.RunAsync(RunTimeout, "merge", dir.Combine("agent0"), dir.Combine("agent1"), dir.Combine("agent2"),
            "--out-file", dir.Combine("merged.json"));
        Assert.True(merge.ExitCode == 0, merge.ToString());
        var merged = ResultsFile.Read(merge.LastLine);

        Assert.Equal("completed", merged.Outcome);
        Assert.Equal(600, merged.Counts.Attempted);
        Assert.Equal(docs.Sum(d => d.Counts.Attempted), merged.Counts.Attempted);
        Assert.Equal(docs.Sum(d => d.Counts.Connacks), merged.Counts.Connacks);
        Assert.Equal(docs.Sum(d => d.Counts.Failed.Values.Sum()), merged.Counts.Failed.Values.Sum());
        Assert.Equal([200, 200, 200], docs.Select(d => d.Counts.Attempted));
        Assert.All(docs, d => Assert.Equal(0, d.Counts.Other["disconnectedByServer"]));
        Assert.All(docs, d => Assert.Equal(startAt, d.Section("agent")!["startAt"]!.GetValue<string>()));

        // Agent i connected exactly the global clients i, i+3, ...: 600 distinct ids, none taken over.
        var ids = ConnectedId().Matches(broker.Log)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, 600), ids.Order());
        Assert.DoesNotContain("already connected", broker.Log);

        // The merged percentiles equal one histogram of every value the agents recorded, read from their own .hlog files.
        var all = new LongHistogram(1, LatencyHistograms.HighestTrackableMicros, LatencyHistograms.SignificantDigits);
        foreach (var d in docs)
        {
            using var hlog = File.OpenRead(d.Section("files")!["hlog"]!.GetValue<string>());
            foreach (var h in new HistogramLogReader(hlog).ReadHistograms().Where(h => h.Tag == "total")) all.Add(h);
        }
        Assert.Equal(600, all.TotalCount);
        Assert.Equal(all.GetValueAtPercentile(50) / 1000.0, merged.Latency["total"].P50);
        Assert.Equal(all.GetValueAtPercentile(99) / 1000.0, merged.Latency["total"].P99);

        // report reads the merged file like any other run.
        var report = await CliProcess.RunAsync(RunTimeout, "report", merge.LastLine, "--html", dir.Combine("merged.html"));
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Contains("agents", File.ReadAllText(dir.Combine("merged.html")));

        // The same three files, misassembled: one line and exit 2 each.
        await AssertMergeRefused("given twice", docs[0], docs[0], docs[1], docs[2]);
        await AssertMergeRefused("shard(s) 2/3 missing", docs[0], docs[1]);
        var partial = await CliProcess.RunAsync(RunTimeout, "merge", Path(docs[0]), Path(docs[1]), "--allow-missing", "--out-file",
            dir.Combine("partial.json"));
        Assert.True(partial.ExitCode == 0, partial.ToString());
        Assert.Equal("partial", ResultsFile.Read(partial.LastLine).Outcome);
    }

    private static string Path(ResultsDocument d) => d.Section("files")!["results"]!.GetValue<string>();

    private static async Task AssertMergeRefused(string expected, params ResultsDocument[] docs)
    {
        var r = await CliProcess.RunAsync(RunTimeout, ["merge", .. docs.Select(Path)]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.DoesNotContain('\n', r.Stderr.Trim());
        Assert.Contains(expected, r.Stderr);
    }

    [GeneratedRegex(@"New client connected from \S+ as connburst-(\d+) ")]
    private static partial Regex ConnectedId();
}
