using ConnBurst.Recording;
using HdrHistogram;

namespace ConnBurst.Tests.Recording;

public sealed class HistogramLogLineTests
{
    /// <summary>What HdrHistogram.NET's own writer writes for <paramref name="h"/>: its one line after the header.</summary>
    private static string WritersLine(HistogramBase h)
    {
        using var ms = new MemoryStream();
        using (var w = new HistogramLogWriter(ms)) w.Write(DateTime.UnixEpoch, h);
        ms.Position = 0;
        using var reader = new StreamReader(ms, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd().Split('\n').Single(l => l.Length > 0 && l[0] is not ('#' or '"'));
    }

    private static LongHistogram Random(Random random, int n, double maxExponent)
    {
        var h = LatencyHistograms.Create();
        for (int i = 0; i < n; i++) h.RecordMicros((long)Math.Exp(random.NextDouble() * maxExponent));
        return h;
    }

    /// <summary>
    /// The .hlog and the results must not change: every line is the writer's, byte for byte, whatever came before it
    /// through the shared buffers (a large histogram, then a small one whose encoding is shorter, then an empty one).
    /// </summary>
    [Fact]
    public void ALineIsTheLogWritersByteForByte()
    {
        var random = new Random(5);
        var histograms = new List<LongHistogram>();
        foreach (var n in new[] { 200_000, 3, 0, 50_000, 1, 700, 120_000, 0, 40 })
        {
            histograms.Add(Random(random, n, 20.2)); // up to the trackable 10 minutes (clamped)
            histograms.Add(Random(random, n, 9)); // a few ms: a short encoding
        }
        for (int i = 0; i < histograms.Count; i++)
        {
            var h = histograms[i];
            if (i % 3 != 0) h.Tag = ((BurstPhase)(i % BurstPhases.All.Length)).Name();
            h.StartTimeStamp = 1_767_225_600_123L + i * 1_001L;
            h.EndTimeStamp = h.StartTimeStamp + 1_000 + i;
            Assert.Equal(WritersLine(h), HistogramLogLine.Of(h));
        }
    }

    /// <summary>
    /// The point of <see cref="HistogramLogLine"/>: the writer allocates three buffers of the histogram's full size for
    /// each line (580 KB, on the large-object heap); a line allocates less than one such buffer in all.
    /// </summary>
    [Fact]
    public void ALineAllocatesLessThanOneBufferOfTheHistogramsSize()
    {
        var h = Random(new Random(3), 5_000, 13); // up to 0.44 s
        HistogramLogLine.Of(h); // the shared buffers, once per process
        var before = GC.GetAllocatedBytesForCurrentThread();
        HistogramLogLine.Of(h);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, h.GetNeededByteBufferCapacity() - 1);
    }
}
