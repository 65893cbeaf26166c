using ConnBurst.Monitor.Proc;

namespace ConnBurst.Monitor;

/// <summary>A finished recording with what was known about it when it ended; the input of every writer.</summary>
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
    System.Text.Json.Nodes.JsonObject Config);
