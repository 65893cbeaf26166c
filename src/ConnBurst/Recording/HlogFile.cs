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
        _out.Write(LatencyHistograms.LogText(_start)); // the header alone: version, start time, legend
    }

    /// <summary>Appends one interval: <paramref name="histograms"/> indexed by <see cref="BurstPhase"/>, stamped with wall-clock
    /// bounds.</summary>
    public void Append(IReadOnlyList<HistogramBase> histograms, DateTimeOffset from, DateTimeOffset to)
    {
        var tagged = new HistogramBase[histograms.Count];
        for (int i = 0; i < histograms.Count; i++)
        {
            var h = histograms[i];
            h.Tag = ((BurstPhase)i).Name();
            h.StartTimeStamp = from.ToUnixTimeMilliseconds();
            h.EndTimeStamp = to.ToUnixTimeMilliseconds();
            tagged[i] = h;
        }
        // The writer always emits a header first; keep only the interval lines, all phases in one write.
        var lines = new StringBuilder();
        foreach (var line in LatencyHistograms.LogText(_start, tagged).Split('\n'))
        {
            var l = line.TrimEnd('\r');
            if (l.Length == 0 || l[0] == '#' || l[0] == '"') continue;
            lines.Append(l).Append('\n');
        }
        _out.Write(lines.ToString());
    }

    public void Dispose() => _out.Dispose();
}
