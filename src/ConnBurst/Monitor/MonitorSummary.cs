using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ConnBurst.Monitor;

/// <summary>
/// One recording's summary: what <c>SUMMARY</c> returns as one JSON line, what the chat and burst testers embed
/// as their "server" section, and what the peak search reads to decide whether every core stayed under its
/// busy limit. Percentages are of one core (0–100 per core); memory in MiB. docs/results-schema.md describes it.
/// </summary>
internal sealed class MonitorSummary
{
    [JsonPropertyName("label")] public string Label { get; set; } = "";
    [JsonPropertyName("host")] public string Host { get; set; } = "";
    /// <summary>completed (STOP), timeout (--max-recording reached), interrupted (monitor stopped with Ctrl-C).</summary>
    [JsonPropertyName("outcome")] public string Outcome { get; set; } = "completed";
    [JsonPropertyName("startedAt")] public DateTimeOffset StartedAt { get; set; }
    [JsonPropertyName("endedAt")] public DateTimeOffset EndedAt { get; set; }
    [JsonPropertyName("seconds")] public double Seconds { get; set; }
    [JsonPropertyName("samples")] public int Samples { get; set; }
    [JsonPropertyName("intervalMs")] public double IntervalMs { get; set; }
    [JsonPropertyName("cpu")] public CpuSummary Cpu { get; set; } = new();
    [JsonPropertyName("memory")] public MemorySummary Memory { get; set; } = new();
    [JsonPropertyName("load1Max")] public double Load1Max { get; set; }
    [JsonPropertyName("process")] public ProcessSummary? Process { get; set; }
    [JsonPropertyName("sockets")] public SocketSummary? Sockets { get; set; }
    [JsonPropertyName("kernelTcp")] public KernelTcpSummary? KernelTcp { get; set; }
    /// <summary>Paths of the files this recording wrote on the monitor's machine.</summary>
    [JsonPropertyName("files")] public SortedDictionary<string, string> Files { get; set; } = new(StringComparer.Ordinal);

    /// <summary>True when every core's busy percentage stayed at or below <paramref name="maxBusyPercent"/> in every sample (the chat
    /// benchmark's "no core under 15% idle").</summary>
    public bool EveryCoreAtMost(double maxBusyPercent) => Cpu.PerCore.All(c => c.MaxBusy <= maxBusyPercent);

    public string ToJsonLine() => JsonSerializer.Serialize(this, LineJson);

    public JsonNode ToJsonNode() => JsonSerializer.SerializeToNode(this, LineJson)!;

    public static MonitorSummary Parse(string jsonLine) =>
        JsonSerializer.Deserialize<MonitorSummary>(jsonLine, LineJson) ?? throw new JsonException("empty summary");

    internal static readonly JsonSerializerOptions LineJson = new()
    {
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}

internal sealed class CpuSummary
{
    [JsonPropertyName("cores")] public int Cores { get; set; }
    /// <summary>All cores together: mean and highest busy % over the samples.</summary>
    [JsonPropertyName("totalAvgBusy")] public double TotalAvgBusy { get; set; }
    [JsonPropertyName("totalMaxBusy")] public double TotalMaxBusy { get; set; }
    /// <summary>The busiest core's mean busy % over the recording.</summary>
    [JsonPropertyName("maxCoreAvgBusy")] public double MaxCoreAvgBusy { get; set; }
    /// <summary>The highest busy % any one core reached in any one sample.</summary>
    [JsonPropertyName("maxCoreMaxBusy")] public double MaxCoreMaxBusy { get; set; }
    /// <summary>The most any core's sample had stolen by the hypervisor, percent (part of its busy figure).</summary>
    [JsonPropertyName("maxCoreMaxSteal")] public double MaxCoreMaxSteal { get; set; }
    [JsonPropertyName("avgIoWait")] public double AvgIoWait { get; set; }
    [JsonPropertyName("avgSoftIrq")] public double AvgSoftIrq { get; set; }
    [JsonPropertyName("avgSteal")] public double AvgSteal { get; set; }
    [JsonPropertyName("perCore")] public List<CoreSummary> PerCore { get; set; } = new();
}

internal sealed class CoreSummary
{
    [JsonPropertyName("core")] public int Core { get; set; }
    [JsonPropertyName("avgBusy")] public double AvgBusy { get; set; }
    [JsonPropertyName("maxBusy")] public double MaxBusy { get; set; }
    [JsonPropertyName("avgUser")] public double AvgUser { get; set; }
    [JsonPropertyName("avgSystem")] public double AvgSystem { get; set; }
    [JsonPropertyName("avgSoftIrq")] public double AvgSoftIrq { get; set; }
    /// <summary>Time the hypervisor ran other guests while this core wanted to run, percent: <c>busy</c> (100 - idle)
    /// includes it.</summary>
    [JsonPropertyName("avgSteal")] public double AvgSteal { get; set; }
    [JsonPropertyName("maxSteal")] public double MaxSteal { get; set; }
}

internal sealed class MemorySummary
{
    [JsonPropertyName("totalMiB")] public double TotalMiB { get; set; }
    [JsonPropertyName("usedMiBMax")] public double UsedMiBMax { get; set; }
    [JsonPropertyName("availableMiBMin")] public double AvailableMiBMin { get; set; }
}

internal sealed class ProcessSummary
{
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>Percent of one core (200 = two full cores).</summary>
    [JsonPropertyName("cpuAvgPercent")] public double CpuAvgPercent { get; set; }
    [JsonPropertyName("cpuMaxPercent")] public double CpuMaxPercent { get; set; }
    [JsonPropertyName("cpuSeconds")] public double CpuSeconds { get; set; }
    [JsonPropertyName("rssMiBMax")] public double RssMiBMax { get; set; }
    [JsonPropertyName("fdsMax")] public double FdsMax { get; set; }
    [JsonPropertyName("threadsMax")] public double ThreadsMax { get; set; }
    /// <summary>The busiest threads, busiest first (at most 10 here; the results JSON has more).</summary>
    [JsonPropertyName("busiestThreads")] public List<ThreadSummary> BusiestThreads { get; set; } = new();
    /// <summary><c>monitor --perf</c>: the busiest threads' top functions, or one line why there are none; absent without --perf.</summary>
    [JsonPropertyName("profile")] public Perf.PerfProfile? Profile { get; set; }
}

internal sealed class ThreadSummary
{
    [JsonPropertyName("tid")] public int Tid { get; set; }
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("cpuSeconds")] public double CpuSeconds { get; set; }
    /// <summary>Share of the process's CPU during the recording, 0–1.</summary>
    [JsonPropertyName("share")] public double Share { get; set; }
}

internal sealed class SocketSummary
{
    [JsonPropertyName("port")] public int Port { get; set; }
    [JsonPropertyName("establishedMax")] public double EstablishedMax { get; set; }
    [JsonPropertyName("recvQMax")] public double RecvQMax { get; set; }
    [JsonPropertyName("recvQSumMax")] public double RecvQSumMax { get; set; }
    [JsonPropertyName("sendQMax")] public double SendQMax { get; set; }
    [JsonPropertyName("sendQSumMax")] public double SendQSumMax { get; set; }
    [JsonPropertyName("acceptQueueMax")] public double AcceptQueueMax { get; set; }
    /// <summary>The listen socket's backlog as the kernel applies it (listen()'s argument capped by net.core.somaxconn).</summary>
    [JsonPropertyName("listenBacklog")] public double ListenBacklog { get; set; }
    /// <summary>Which side was not reading, judged from the queues: "server" (Recv-Q built up on the server's sockets), "peer" (Send-Q
    /// built up: the clients were not reading), "none", or "both".</summary>
    [JsonPropertyName("notReading")] public string NotReading { get; set; } = "none";
}

/// <summary>
/// The kernel's listen-queue counters over the recording (/proc/net/netstat TcpExt: every listener in the monitor's network
/// namespace, not only the watched port) and the limits that bound a listen backlog, read when the summary is made.
/// </summary>
internal sealed class KernelTcpSummary
{
    /// <summary>Connections that completed the handshake but found the accept queue full.</summary>
    [JsonPropertyName("listenOverflows")] public double ListenOverflows { get; set; }
    /// <summary>SYNs and handshake-completing ACKs a listener dropped, overflows included.</summary>
    [JsonPropertyName("listenDrops")] public double ListenDrops { get; set; }
    /// <summary>SYNs dropped because the SYN queue was full and SYN cookies were off.</summary>
    [JsonPropertyName("reqQFullDrops")] public double ReqQFullDrops { get; set; }
    /// <summary>net.core.somaxconn: the cap on every listen backlog.</summary>
    [JsonPropertyName("somaxconn")] public double? Somaxconn { get; set; }
    /// <summary>net.ipv4.tcp_max_syn_backlog: the cap on half-open connections per listener.</summary>
    [JsonPropertyName("tcpMaxSynBacklog")] public double? TcpMaxSynBacklog { get; set; }
}
