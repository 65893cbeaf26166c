using System.Text.Json.Nodes;
using ConnBurst.Results;

namespace ConnBurst.Monitor;

/// <summary>
/// A recording's samples as they come (<c>monitor-TS.journal.jsonl</c> in the results directory, the same journal
/// form as a burst's): the first line says what is recorded (label, columns, cores, the watched process and port),
/// then one line per sample, each whole and flushed. The recording's files replace it; a monitor that is SIGKILLed
/// or OOM-killed mid-recording leaves it, and <see cref="UnfinishedRecordings"/> turns it back into the recording
/// up to its last sample, outcome "interrupted". A failed write stops journaling (one line), never the recording.
/// </summary>
internal sealed class RecordingJournal : IDisposable
{
    private readonly IReadOnlyList<string> _columns;
    private ResultsJournal? _journal;

    private RecordingJournal(ResultsJournal journal, IReadOnlyList<string> columns)
    {
        _journal = journal;
        _columns = columns;
    }

    /// <summary>Starts a recording's journal, or returns null and says why in <paramref name="error"/> (the recording goes on without
    /// one).</summary>
    public static RecordingJournal? Start(string directory, Recording rec, TimeSpan interval, int cores, int? port, string? processName,
        int? pid,
        JsonObject config, Action<string> error)
    {
        var header = ResultsDocument.Start("monitor", rec.StartedAt, (JsonObject)config.DeepClone());
        header.Outcome = "running";
        header.Config["label"] = rec.Label;
        header.Sections["monitor"] = new JsonObject
        {
            ["label"] = rec.Label,
            ["intervalMs"] = interval.TotalMilliseconds,
            ["cores"] = cores,
            ["port"] = port,
            ["process"] = processName is null && pid is null ? null : new JsonObject { ["name"] = processName, ["pid"] = pid },
            ["columns"] = new JsonArray(rec.Columns.Select(c => (JsonNode?)c).ToArray()),
        };
        try
        {
            Directory.CreateDirectory(directory);
            var path = Path.Combine(Path.GetFullPath(directory), $"monitor-{ResultsFile.Timestamp(rec.StartedAt)}{ResultsJournal.Suffix}");
            return new RecordingJournal(ResultsJournal.Start(path, header), rec.Columns);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error($"monitor: cannot journal recording '{rec.Label}' in {directory}: {e.Message}; it is kept in memory only");
            return null;
        }
    }

    /// <summary>One sample: its time since START and its values (a NaN, no value that interval, is left out).</summary>
    public void Append(double seconds, ReadOnlySpan<double> values, Action<string> error)
    {
        if (_journal is null) return;
        var interval = new IntervalSnapshot { Seconds = Math.Round(seconds, 3) };
        for (var i = 0; i < values.Length && i < _columns.Count; i++)
            if (double.IsFinite(values[i])) interval.Values[_columns[i]] = Math.Round(values[i], 3);
        try { _journal.Append(interval, [], []); }
        catch (IOException e)
        {
            error($"monitor: cannot write the journal {_journal.Path}: {e.Message}; the recording goes on in memory");
            _journal.Dispose();
            _journal = null;
        }
    }

    /// <summary>The recording's files are written: the journal has nothing they do not.</summary>
    public void Complete()
    {
        try { _journal?.Complete(); }
        catch (IOException) { /* a journal left behind is read as an interrupted copy; harmless */ }
        _journal = null;
    }

    public void Dispose() => _journal?.Dispose();
}
