using System.Text;
using HdrHistogram;

namespace ConnBurst.Recording;

/// <summary>
/// HdrHistogram's interval log (.hlog): every snapshot interval's merged histogram of every phase, tagged with the
/// phase name, so runs from several processes or machines can be merged exactly later (HistogramLogReader, or Java's
/// HistogramLogProcessor, reads it). Written as ASCII and flushed per interval, so an interrupted run keeps every
/// interval it finished.
/// </summary>
internal sealed class HlogFile : IDisposable
{
    private readonly Common.LineFile _out;
    private readonly DateTime _start;

    public string Path { get; }

    public HlogFile(string path, DateTimeOffset startTime)
    {
        Path = path;
        _start = startTime.UtcDateTime;
        _out = new Common.LineFile(path);
        _out.Write(LatencyHistograms.LogHeader(_start));
    }

    /// <summary>
    /// One interval's lines: <paramref name="histograms"/> indexed by <see cref="BurstPhase"/>, tagged with the phase
    /// name and stamped with wall-clock bounds. The run's interval figures take their compact histograms from the same
    /// lines (<see cref="IntervalHistograms.FromLogLines"/>), so each interval is compressed once, not twice.
    /// </summary>
    public static string IntervalLines(IReadOnlyList<HistogramBase> histograms, DateTimeOffset from, DateTimeOffset to)
    {
        var lines = new StringBuilder();
        for (int i = 0; i < histograms.Count; i++)
        {
            var h = histograms[i];
            h.Tag = ((BurstPhase)i).Name();
            h.StartTimeStamp = from.ToUnixTimeMilliseconds();
            h.EndTimeStamp = to.ToUnixTimeMilliseconds();
            lines.Append(HistogramLogLine.Of(h)).Append('\n');
        }
        return lines.ToString();
    }

    /// <summary>Appends one interval's lines (<see cref="IntervalLines"/>), all phases in one write.</summary>
    public void Append(string intervalLines) => _out.Write(intervalLines);

    public void Dispose() => _out.Dispose();
}
