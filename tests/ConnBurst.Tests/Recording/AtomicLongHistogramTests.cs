using ConnBurst.Recording;
using HdrHistogram;

namespace ConnBurst.Tests.Recording;

public sealed class AtomicLongHistogramTests
{
    /// <summary>
    /// Four threads record into one recorder while a fifth swaps intervals out: every value lands in exactly one interval,
    /// count by count what a plain histogram fed the same values holds. A plain LongHistogram under the recorder loses
    /// counts here (two writers racing on one bucket).
    /// </summary>
    [Fact]
    public void ConcurrentWritersUnderARecorderLoseNothing()
    {
        const int Writers = 4, PerWriter = 200_000;
        var recorder = LatencyHistograms.CreateRecorder();
        var expected = LatencyHistograms.Create();
        var intervals = LatencyHistograms.Create();
        for (int w = 0; w < Writers; w++)
            for (int i = 0; i < PerWriter; i++) expected.RecordValue(ValueOf(w, i));

        var done = 0;
        var writers = Enumerable.Range(0, Writers).Select(w => new Thread(() =>
        {
            for (int i = 0; i < PerWriter; i++) recorder.RecordValue(ValueOf(w, i)); // the same few buckets from every writer
            Interlocked.Increment(ref done);
        })).ToArray();
        foreach (var t in writers) t.Start();
        HistogramBase? recycle = null;
        while (Volatile.Read(ref done) < Writers)
        {
            recycle = recorder.GetIntervalHistogram(recycle);
            Assert.IsType<AtomicLongHistogram>(recycle);
            intervals.Add(recycle);
        }
        foreach (var t in writers) t.Join();
        intervals.Add(recorder.GetIntervalHistogram(recycle));

        Assert.Equal(expected.TotalCount, intervals.TotalCount);
        Assert.Equal(LatencyHistograms.Encode(expected), LatencyHistograms.Encode(intervals));
    }

    /// <summary>Same shape as the standard histogram: adds either way, encodes alike, and clears to nothing.</summary>
    [Fact]
    public void MatchesTheStandardHistogramAndClears()
    {
        var atomic = new AtomicLongHistogram(1, 1, LatencyHistograms.HighestTrackableMicros, LatencyHistograms.SignificantDigits);
        var plain = LatencyHistograms.Create();
        foreach (var v in new long[] { 1, 999, 1_000, 123_456, 9_999_999, LatencyHistograms.HighestTrackableMicros })
        {
            atomic.RecordValue(v);
            plain.RecordValue(v);
        }
        var back = LatencyHistograms.Create();
        back.Add(atomic);
        Assert.Equal(LatencyHistograms.Encode(plain), LatencyHistograms.Encode(back));
        Assert.Equal(LatencyHistograms.Encode(plain), LatencyHistograms.Encode(atomic.Copy()));

        var into = new AtomicLongHistogram(2, 1, LatencyHistograms.HighestTrackableMicros, LatencyHistograms.SignificantDigits);
        into.Add(plain);
        Assert.Equal(plain.TotalCount, into.TotalCount);
        Assert.Equal(plain.GetMaxValue(), into.GetMaxValue());

        atomic.Reset();
        Assert.Equal(0, atomic.TotalCount);
        Assert.Equal(0, atomic.GetMaxValue());
    }

    private static long ValueOf(int writer, int i) => 1 + ((i * 7 + writer) % 50) * 1_000;
}
