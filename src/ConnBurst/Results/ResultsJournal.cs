using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConnBurst.Results;

/// <summary>
/// A run's results as it goes (<c>burst-TS.journal.jsonl</c>, <c>chat-TLS-TS.journal.jsonl</c>): the first line is the results document as
/// known at the
/// start (kind, configuration, machine, outcome "running"), then one line per closed interval with its values,
/// histograms and counter deltas, each flushed as written. A run that ends normally writes its results JSON and
/// deletes the journal; a run that is SIGKILLed, OOM-killed or loses its machine leaves the journal, which
/// <see cref="Read"/> turns into a results document of everything up to the last interval, outcome "interrupted".
/// </summary>
internal sealed class ResultsJournal : IDisposable
{
    public const string Suffix = ".journal.jsonl";

    private static readonly JsonSerializerOptions OneLine = new(ResultsFile.Json) { WriteIndented = false };
    private readonly Common.LineFile _out;

    public string Path { get; }

    private ResultsJournal(string path)
    {
        Path = path;
        _out = new Common.LineFile(path);
    }

    /// <summary>Creates the journal with <paramref name="header"/> (a run's document at its start, outcome "running") as its first
    /// line.</summary>
    public static ResultsJournal Start(string path, ResultsDocument header)
    {
        var j = new ResultsJournal(path);
        j._out.WriteLine(JsonSerializer.Serialize(header, OneLine));
        return j;
    }

    /// <summary>One closed interval and what the counters did in it (totals by name, failures by reason).</summary>
    public void Append(IntervalSnapshot interval, SortedDictionary<string, long> totals, SortedDictionary<string, long> failures) =>
        _out.WriteLine(JsonSerializer.Serialize(new Entry { Interval = interval, Totals = totals, Failures = failures }, OneLine));

    /// <summary>The run's results JSON is written: the journal has nothing the JSON does not.</summary>
    public void Complete()
    {
        _out.Dispose();
        File.Delete(Path);
    }

    public void Dispose() => _out.Dispose();

    private sealed class Entry
    {
        public IntervalSnapshot Interval { get; set; } = new();
        public SortedDictionary<string, long> Totals { get; set; } = new(StringComparer.Ordinal);
        public SortedDictionary<string, long> Failures { get; set; } = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// The intervals written so far, in order (a torn last line left out): what a long run's aggregator reads back at
    /// the end instead of holding every interval's histograms in memory for the whole run.
    /// </summary>
    public static List<IntervalSnapshot> ReadIntervals(string path) =>
        [.. Entries(File.ReadLines(path).Skip(1), out _).Select(e => e.Interval)];

    /// <summary>The interval lines that parse, in order; <paramref name="torn"/> counts those that do not (a write cut short).</summary>
    private static List<Entry> Entries(IEnumerable<string> lines, out int torn)
    {
        var entries = new List<Entry>();
        torn = 0;
        foreach (var line in lines)
        {
            try
            {
                if (JsonSerializer.Deserialize<Entry>(line, ResultsFile.Json) is { } e) entries.Add(e);
            }
            catch (JsonException) { torn++; }
        }
        return entries;
    }

    private static IEnumerable<string> Rest(IEnumerator<string> lines)
    {
        while (lines.MoveNext()) yield return lines.Current;
    }

    /// <summary>
    /// The results of an unfinished run: counts summed from its intervals, the intervals themselves (with their
    /// histograms, from which a reader computes the latency summary), outcome "interrupted", and an "unfinished"
    /// section saying how much time it covers. A torn last line (the process died mid-write) is left out.
    /// </summary>
    public static ResultsDocument Read(string path)
    {
        using var lines = File.ReadLines(path).GetEnumerator();
        if (!lines.MoveNext()) throw new Common.InputException($"{path}: an empty journal");
        ResultsDocument doc;
        try { doc = JsonSerializer.Deserialize<ResultsDocument>(lines.Current, ResultsFile.Json) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new Common.InputException($"{path}: not a ConnBurst journal ({e.Message})"); }
        var totals = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var entries = Entries(Rest(lines), out var torn);
        foreach (var e in entries)
        {
            doc.Intervals.Add(e.Interval);
            foreach (var (k, v) in e.Totals) totals[k] = totals.GetValueOrDefault(k) + v;
            foreach (var (k, v) in e.Failures) doc.Counts.Failed[k] = doc.Counts.Failed.GetValueOrDefault(k) + v;
        }
        // The header's counts are what was known at the start (a chat run's clients); the intervals add the rest.
        doc.Counts.Attempted += totals.GetValueOrDefault("attempted");
        doc.Counts.Connacks += totals.GetValueOrDefault("connacks");
        foreach (var (k, v) in totals) if (k is not ("attempted" or "connacks")) doc.Counts.Other[k] = v;
        var covers = doc.Intervals.Count == 0 ? 0 : doc.Intervals[^1].Seconds;
        doc.Counts.Connected = doc.Intervals.Count == 0 ? 0 : (long)doc.Intervals[^1].Values.GetValueOrDefault("connectedNow");
        doc.Outcome = "interrupted";
        doc.EndedAt = doc.StartedAt.AddSeconds(covers);
        doc.Sections["unfinished"] = new JsonObject
        {
            ["journal"] = System.IO.Path.GetFullPath(path),
            ["coversSeconds"] = covers,
            ["intervals"] = doc.Intervals.Count,
            ["tornLines"] = torn,
            ["note"] =
                "the run ended without writing its results (killed, or its machine lost); these are its figures up to its last interval",
        };
        return doc;
    }
}
