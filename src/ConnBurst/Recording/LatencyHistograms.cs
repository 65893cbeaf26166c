using HdrHistogram;
using ConnBurst.Results;

namespace ConnBurst.Recording;

/// <summary>
/// The one place latency histograms are created and summarised. Values are recorded in microseconds, from
/// 1 µs up to 10 minutes at 3 significant digits; summaries are in milliseconds.
/// </summary>
internal static class LatencyHistograms
{
    public const long HighestTrackableMicros = 10L * 60 * 1_000_000;
    public const int SignificantDigits = 3;

    public static LongHistogram Create() => new(1, HighestTrackableMicros, SignificantDigits);

    /// <summary>
    /// A recorder that many threads may write at once (connections complete on any thread-pool thread). Its
    /// histograms must be the concurrent kind: a plain LongHistogram under a Recorder loses counts when two
    /// writers race, which showed as 98,991 of 99,000 fan-out samples in a chat run. Concurrent writes are all they need
    /// (<see cref="AtomicLongHistogram"/>): the recorder reads a histogram only after its swap has waited out the writers.
    /// </summary>
    public static Recorder CreateRecorder() =>
        new(1, HighestTrackableMicros, SignificantDigits, (id, low, high, digits) => new AtomicLongHistogram(id, low, high, digits));

    /// <summary>Records a value, clamped into the trackable range, so an outlier never throws on the hot path.</summary>
    public static void RecordMicros(this HistogramBase h, long micros) =>
        h.RecordValue(Math.Clamp(micros, 1, HighestTrackableMicros));

    /// <summary>
    /// A histogram as one self-contained HdrHistogram interval log (compressed, base64 inside): the form histograms
    /// travel in between workers. The log writer's text (<see cref="HistogramLogLine"/>), read back by the library's reader.
    /// </summary>
    public static string Encode(HistogramBase h) => LogHeader(DateTime.UnixEpoch) + HistogramLogLine.Of(h) + "\n";

    /// <summary>The inverse of <see cref="Encode"/>, into a histogram of this project's standard shape (exact counts kept).</summary>
    public static LongHistogram Decode(string text)
    {
        var h = Create();
        AddDecoded(h, text);
        return h;
    }

    /// <summary>
    /// Adds every histogram of an interval log's text (<see cref="Encode"/>'s) into <paramref name="h"/>, which must have
    /// the standard shape: a worker's report is read into histograms reused from interval to interval
    /// (<see cref="HistogramLogDecoder"/>). A line that is not a histogram of that shape throws <see cref="FormatException"/>.
    /// </summary>
    public static void AddDecoded(HistogramBase h, string text)
    {
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.IsEmpty || line[0] is '#' or '"') continue; // the header's comments and legend
            HistogramLogDecoder.AddInto(h, line[(line.LastIndexOf(',') + 1)..]);
        }
    }

    /// <summary>
    /// HdrHistogram's log header (version, start time, legend), as ASCII. HdrHistogram.NET's writer emits UTF-16 with a
    /// BOM, which the Java tools (HistogramLogProcessor) cannot read; the text itself is the standard format. The
    /// histograms' lines come from <see cref="HistogramLogLine"/>, which writes the same text without the writer's buffers.
    /// </summary>
    public static string LogHeader(DateTime startTime)
    {
        using var ms = new MemoryStream();
        using (var w = new HistogramLogWriter(ms)) w.Write(startTime);
        ms.Position = 0;
        using var reader = new StreamReader(ms, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Only the given percentiles, in milliseconds (0 for an empty histogram), with the library's own calls: what every
    /// interval line needs, once a second for each phase. <see cref="Summarize"/> also walks the whole histogram for the
    /// mean, the deviation and the maximum (each a full pass of HdrHistogram's enumerator), which made the snapshot thread
    /// about 4% of the generator's CPU at 150 connects/s (the generator's profile, docs/BENCHMARKS.md).
    /// </summary>
    public static double PercentileMs(HistogramBase h, double percentile) =>
        h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(percentile) / 1000.0;

    /// <summary>The highest recorded value in milliseconds (HdrHistogram's highest equivalent value; 0 when empty).</summary>
    public static double MaxMs(HistogramBase h) => h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(100) / 1000.0;

    /// <summary>The lowest recorded value in milliseconds, as <see cref="Summarize"/> gives it (0 when empty).</summary>
    public static double MinMs(HistogramBase h)
    {
        if (h.TotalCount == 0) return 0;
        foreach (var v in h.RecordedValues()) return h.LowestEquivalentValue(v.ValueIteratedTo) / 1000.0;
        return 0;
    }

    public static LatencySummary Summarize(HistogramBase h, bool withDistribution = false)
    {
        var s = new LatencySummary { Count = h.TotalCount };
        if (h.TotalCount == 0) return s;
        const double ms = 1000.0;
        s.Min = MinMs(h);
        s.Avg = h.GetMean() / ms;
        s.StdDev = h.GetStdDeviation() / ms;
        s.P50 = PercentileMs(h, 50);
        s.P75 = PercentileMs(h, 75);
        s.P90 = PercentileMs(h, 90);
        s.P95 = PercentileMs(h, 95);
        s.P99 = PercentileMs(h, 99);
        s.P999 = PercentileMs(h, 99.9);
        s.Max = MaxMs(h);
        if (withDistribution)
        {
            s.Distribution = new List<double[]>();
            foreach (var p in h.Percentiles(5))
                s.Distribution.Add([p.PercentileLevelIteratedTo, p.ValueIteratedTo / ms]);
        }
        return s;
    }
}
