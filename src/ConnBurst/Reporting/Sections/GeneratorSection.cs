using System.Text.Json.Serialization;

namespace ConnBurst.Reporting.Sections;

/// <summary>
/// "generator": how hard the load generator itself worked during a run, so that a slow result can be blamed on
/// the right side. Written by burst (Recording/BurstAggregator); read by analyze and peak. Fields may be absent.
/// </summary>
internal sealed class GeneratorSection
{
    [JsonPropertyName("workers")] public int? Workers { get; set; }
    /// <summary>CPU seconds the generator's processes used over the run.</summary>
    [JsonPropertyName("cpuSeconds")] public double? CpuSeconds { get; set; }
    /// <summary>In-process runs: the CPU seconds of the run itself (cpuSeconds also counts start-up).</summary>
    [JsonPropertyName("cpuSecondsDuringRun")] public double? CpuSecondsDuringRun { get; set; }
    /// <summary>Seconds the generator's threads waited for a CPU during the run (in-process runs; Load/RunQueueWait).</summary>
    [JsonPropertyName("runQueueWaitSecondsDuringRun")] public double? RunQueueWaitSecondsDuringRun { get; set; }
    [JsonPropertyName("cpuMsPerAttempt")] public double? CpuMsPerAttempt { get; set; }
    [JsonPropertyName("peakRssBytes")] public long? PeakRssBytes { get; set; }
    /// <summary>How late the pacer launched attempts behind their due time, in milliseconds.</summary>
    [JsonPropertyName("schedulerLagMs")] public LagSummary? SchedulerLagMs { get; set; }
    [JsonPropertyName("maxTickLagMs")] public double? MaxTickLagMs { get; set; }
    /// <summary>Intervals in which the pacer fell behind its schedule by more than the threshold.</summary>
    [JsonPropertyName("behindIntervals")] public int? BehindIntervals { get; set; }
    [JsonPropertyName("fellBehind")] public bool? FellBehind { get; set; }
    /// <summary>Bytes the generator's own sockets held unread (Recv-Q) and unsent (Send-Q), max of the per-sample sums
    /// (optional).</summary>
    [JsonPropertyName("recvQMax")] public long? RecvQMax { get; set; }
    [JsonPropertyName("sendQMax")] public long? SendQMax { get; set; }
}

/// <summary>Scheduler lag figures in milliseconds.</summary>
internal sealed class LagSummary
{
    [JsonPropertyName("avg")] public double Avg { get; set; }
    [JsonPropertyName("p50")] public double P50 { get; set; }
    [JsonPropertyName("p99")] public double P99 { get; set; }
    [JsonPropertyName("max")] public double Max { get; set; }
}
