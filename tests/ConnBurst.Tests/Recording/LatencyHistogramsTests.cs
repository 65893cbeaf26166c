using ConnBurst.Recording;

namespace ConnBurst.Tests.Recording;

public sealed class LatencyHistogramsTests
{
    [Fact]
    public void ARecorderWrittenByManyThreadsAtOnceLosesNoCount()
    {
        var recorder = LatencyHistograms.CreateRecorder();
        const int threads = 4, perThread = 200_000;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var i = 0; i < perThread; i++) recorder.RecordValue(1 + (i % 1000));
        });
        Assert.Equal(threads * perThread, recorder.GetIntervalHistogram().TotalCount);
    }

    /// <summary>The interval lines' lean figures must be the full summary's, value for value.</summary>
    [Fact]
    public void TheIntervalFiguresEqualTheFullSummarys()
    {
        var random = new Random(7);
        foreach (var n in new[] { 0, 1, 2, 17, 5_000 })
        {
            var h = LatencyHistograms.Create();
            for (int i = 0; i < n; i++) h.RecordMicros((long)Math.Exp(random.NextDouble() * 16));
            var full = LatencyHistograms.Summarize(h);
            Assert.Equal(full.Min, LatencyHistograms.MinMs(h));
            Assert.Equal(full.Max, LatencyHistograms.MaxMs(h));
            Assert.Equal(full.P50, LatencyHistograms.PercentileMs(h, 50));
            Assert.Equal(full.P90, LatencyHistograms.PercentileMs(h, 90));
            Assert.Equal(full.P99, LatencyHistograms.PercentileMs(h, 99));
        }
    }

    /// <summary>An interval is compressed once: the compact histograms taken from its hlog lines are Encode's, byte for byte.</summary>
    [Fact]
    public void TheCompactHistogramsFromAnIntervalsLogLinesAreEncodes()
    {
        var random = new Random(11);
        var byPhase = BurstPhases.All.Select((_, i) =>
        {
            var h = LatencyHistograms.Create();
            for (int k = 0; k < i * 300; k++) h.RecordMicros((long)Math.Exp(random.NextDouble() * 14)); // phase 0 empty
            return (HdrHistogram.HistogramBase)h;
        }).ToArray();
        var expected = IntervalHistograms.Encode(byPhase);
        var now = DateTimeOffset.UtcNow;
        var fromLines = IntervalHistograms.FromLogLines(HlogFile.IntervalLines(byPhase, now.AddSeconds(-1), now), byPhase);
        Assert.Equal(BurstPhases.All.Length - 1, expected.Count);
        Assert.Equal(expected, fromLines);
    }
}
