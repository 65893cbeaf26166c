using ConnBurst.Monitor.Proc;

namespace ConnBurst.Monitor;

/// <summary>
/// A finished recording with what was known about it when it ended; the input of every writer. <see cref="PendingPerf"/>
/// is <c>--perf</c>'s work still to finish (perf script takes seconds, so it runs off the monitor's lock, into <see cref="Perf"/>).
/// <see cref="Journal"/> is the samples on disk, deleted once the recording's files are written.
/// </summary>
internal sealed record RecordingResult(
    Recording Recording,
    string Outcome,
    DateTimeOffset EndedAt,
    TimeSpan Interval,
    int Cores,
    int? Port,
    string? ProcessName,
    int? ProcessPid,
    double ProcessCpuSeconds,
    IReadOnlyList<ThreadCpu> Threads,
    System.Text.Json.Nodes.JsonObject Config,
    Perf.PerfProbe? PendingPerf = null,
    Perf.PerfProfile? Perf = null,
    RecordingJournal? Journal = null)
{
    /// <summary>A thread's name as the busiest-threads table knows it, or as /proc says now; null when neither does.</summary>
    public string? ThreadName(int tid)
    {
        foreach (var t in Threads) if (t.Tid == tid) return t.Name;
        try { return ProcessPid is { } pid ? File.ReadAllText($"/proc/{pid}/task/{tid}/comm").Trim() : null; }
        catch (IOException) { return null; }
    }
}
