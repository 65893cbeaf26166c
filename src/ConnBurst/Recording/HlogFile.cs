using HdrHistogram;

namespace ConnBurst.Recording;

/// <summary>
/// HdrHistogram's interval log (.hlog): every snapshot interval's merged histogram of every phase, tagged with the
/// phase name, so runs from several processes or machines can be merged exactly later (HistogramLogReader reads it).
/// Flushed after each interval, so an interrupted run keeps every interval it finished.
/// </summary>
public sealed class HlogFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly HistogramLogWriter _writer;

    public string Path { get; }

    public HlogFile(string path, DateTimeOffset startTime)
    {
        Path = path;
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        _writer = new HistogramLogWriter(_stream);
        _writer.Write(startTime.UtcDateTime); // the header alone: version, start time, legend
        _stream.Flush();
    }

    /// <summary>Appends one interval: <paramref name="histograms"/> indexed by <see cref="BurstPhase"/>, stamped with wall-clock bounds.</summary>
    public void Append(IReadOnlyList<HistogramBase> histograms, DateTimeOffset from, DateTimeOffset to)
    {
        for (int i = 0; i < histograms.Count; i++)
        {
            var h = histograms[i];
            h.Tag = ((BurstPhase)i).Name();
            h.StartTimeStamp = from.ToUnixTimeMilliseconds();
            h.EndTimeStamp = to.ToUnixTimeMilliseconds();
            _writer.Append(h);
        }
        _stream.Flush();
    }

    public void Dispose()
    {
        _writer.Dispose();
        _stream.Dispose();
    }
}
