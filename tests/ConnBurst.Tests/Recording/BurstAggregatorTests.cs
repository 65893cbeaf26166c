using ConnBurst.Recording;
using ConnBurst.Reporting;
using ConnBurst.Tests.Infrastructure;
using HdrHistogram;
using ConnBurst.Results;

namespace ConnBurst.Tests.Recording;

public sealed class BurstAggregatorTests
{
    private static IntervalReport Report(int shard, int index, bool final, IEnumerable<long> totalMicros, long attempts,
        Action<LongHistogram[]>? owner = null)
    {
        var rec = new PhaseRecorders();
        foreach (var v in totalMicros) rec.Record(BurstPhase.Total, v);
        var counters = new BurstCounters();
        for (int i = 0; i < attempts; i++) { counters.Attempt(); counters.Connacked(); }
        return new IntervalReport { Shard = shard, Index = index, EndSeconds = index + 1, Final = final, Counters = counters.TakeDelta(),
            Histograms = rec.TakeInterval(), HistogramsOwner = owner };
    }

    /// <summary>
    /// An interval's histograms go back to the recorders that made them (who reuse them) once it is closed, not before:
    /// with two workers, interval 0 waits for the second one.
    /// </summary>
    [Fact]
    public void AnIntervalsHistogramsGoBackToTheirOwnersOnceItCloses()
    {
        using var dir = new TempDir();
        using var agg = new BurstAggregator(2, 10, DateTimeOffset.UtcNow, dir.Combine("i.csv"), dir.Combine("r.hlog"));
        var returned = new List<LongHistogram[]>();
        var a = Report(0, 0, false, [1_000], 1, returned.Add);
        var b = Report(1, 0, true, [2_000], 1, returned.Add);
        var (histogramsA, histogramsB) = (a.Histograms, b.Histograms);
        agg.Add(a);
        Assert.Empty(returned);
        agg.Add(b);
        Assert.Equal(2, returned.Count);
        Assert.Same(histogramsA, returned[0]);
        Assert.Same(histogramsB, returned[1]);
        Assert.Empty(a.Histograms);
        Assert.Equal(2, agg.Cumulative(BurstPhase.Total).TotalCount);

        var single = Report(0, 1, true, [3_000], 1, returned.Add); // one worker left: its histograms are the interval's
        var histogramsSingle = single.Histograms;
        agg.Add(single);
        Assert.Same(histogramsSingle, returned[2]);
        Assert.Equal(3, agg.Cumulative(BurstPhase.Total).TotalCount);
    }

    [Fact]
    public void ReportsSurviveTheWorkerLineEncodingExactly()
    {
        var r = Report(1, 3, true, [100, 2_000, 35_000, 35_001], 4);
        Assert.True(IntervalReport.TryParse(r.ToLine(), out var back));
        Assert.Equal(3, back.Index);
        Assert.True(back.Final);
        Assert.Equal(4, back.Counters.Total("connacks"));
        Assert.Equal(r.Histograms[(int)BurstPhase.Total].TotalCount, back.Histograms[(int)BurstPhase.Total].TotalCount);
        Assert.Equal(r.Histograms[(int)BurstPhase.Total].GetValueAtPercentile(75),
            back.Histograms[(int)BurstPhase.Total].GetValueAtPercentile(75));
        Assert.False(IntervalReport.TryParse("a log line", out _));
    }

    [Fact]
    public void MergingWorkersEqualsOneHistogramOfEverythingNeverAnAverage()
    {
        var rnd = new Random(7);
        var a = Enumerable.Range(0, 5000).Select(_ => (long)rnd.Next(1_000, 20_000)).ToArray();
        var b = Enumerable.Range(0, 500).Select(_ => (long)rnd.Next(200_000, 900_000)).ToArray(); // a slow worker
        using var dir = new TempDir();
        using var agg = new BurstAggregator(2, 5500, DateTimeOffset.UtcNow, dir.Combine("i.csv"), dir.Combine("r.hlog"));
        agg.Add(IntervalReport.TryParse(Report(0, 0, false, a, 5000).ToLine(), out var ra) ? ra : null!);
        Assert.Empty(agg.Intervals); // waits for the other worker's interval 0
        agg.Add(IntervalReport.TryParse(Report(1, 0, true, b, 500).ToLine(), out var rb) ? rb : null!);
        Assert.Single(agg.Intervals);
        agg.Add(Report(0, 1, true, [], 0)); // worker 1 is finished: interval 1 closes on worker 0 alone
        Assert.Equal(2, agg.Intervals.Count);

        var all = LatencyHistograms.Create();
        foreach (var v in a.Concat(b)) all.RecordMicros(v);
        var merged = agg.Cumulative(BurstPhase.Total);
        Assert.Equal(all.TotalCount, merged.TotalCount);
        foreach (var p in new[] { 50.0, 90, 95, 99, 99.9 }) Assert.Equal(all.GetValueAtPercentile(p), merged.GetValueAtPercentile(p));

        var doc = new ResultsDocument();
        agg.Fill(doc, 0);
        Assert.Equal(5500, doc.Counts.Connacks);
        Assert.Equal(5500, doc.Latency["total"].Count);
        Assert.Equal(all.GetValueAtPercentile(99) / 1000.0, doc.Latency["total"].P99);
    }

    [Fact]
    public void IntervalsGoToTheCsvAndToAnHlogThatHdrHistogramReadsBack()
    {
        using var dir = new TempDir();
        using (var agg = new BurstAggregator(1, 10, DateTimeOffset.UtcNow, dir.Combine("i.csv"), dir.Combine("r.hlog")))
        {
            agg.Add(Report(0, 0, false, [1_000, 2_000, 3_000], 3));
            agg.Add(Report(0, 1, true, [4_000], 1));
        }
        var csv = File.ReadAllLines(dir.Combine("i.csv"));
        Assert.StartsWith("t,row,attempted,connacks", csv[0]);
        Assert.Equal(5, csv.Length); // header + (counts, latency) x 2
        Assert.Contains(",counts,3,3,", csv[1]);
        Assert.Contains(",latency,", csv[2]);

        using var stream = File.OpenRead(dir.Combine("r.hlog"));
        var histograms = new HistogramLogReader(stream).ReadHistograms().ToList();
        var totals = histograms.Where(h => h.Tag == "total").ToList();
        Assert.Equal(2, totals.Count);
        Assert.Equal(4, totals.Sum(h => h.TotalCount));
    }

    /// <summary>
    /// A long run does not hold its intervals' histograms in memory: once an interval is in the journal, only its values
    /// stay, and the final document takes the histograms back from the journal, every one as it was encoded.
    /// </summary>
    [Fact]
    public void IntervalHistogramsWaitInTheJournalAndComeBackWhole()
    {
        using var dir = new TempDir();
        using var journal = ResultsJournal.Start(dir.Combine("r.journal.jsonl"), new ResultsDocument());
        using var agg = new BurstAggregator(1, 300, DateTimeOffset.UtcNow, null, null, journal: journal);
        var rnd = new Random(3);
        var expected = new List<SortedDictionary<string, string>>();
        for (int i = 0; i < 3; i++)
        {
            var r = Report(0, i, i == 2, Enumerable.Range(0, 100).Select(_ => (long)rnd.Next(100, 90_000)), 100);
            expected.Add(IntervalHistograms.Encode(r.Histograms));
            agg.Add(r);
        }
        Assert.Equal(3, agg.Intervals.Count);
        Assert.All(agg.Intervals, iv => Assert.Null(iv.Histograms));

        var doc = new ResultsDocument();
        agg.Fill(doc, 0);
        Assert.Equal(expected, doc.Intervals.Select(iv => iv.Histograms!).ToList());
    }
}
