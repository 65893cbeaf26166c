using System.Text.Json.Serialization;

namespace ConnBurst.Reporting.Sections;

/// <summary>"peak": the result of a peak-rate search (kind "peak").</summary>
internal sealed class PeakSection
{
    /// <summary>The highest offered rate (connections/s) whose step met the SLO; 0 when none did.</summary>
    [JsonPropertyName("rate")] public double Rate { get; set; }

    /// <summary>The lowest rate that failed the SLO (the bracket's upper end); null when none failed.</summary>
    [JsonPropertyName("failedRate")] public double? FailedRate { get; set; }

    /// <summary>server (an SLO limit was hit), generator (the generator could not offer the rate), none (search ceiling reached).</summary>
    [JsonPropertyName("limitedBy")] public string LimitedBy { get; set; } = "none";

    /// <summary>One sentence a person reads first.</summary>
    [JsonPropertyName("verdict")] public string Verdict { get; set; } = "";

    [JsonPropertyName("slo")] public PeakSlo Slo { get; set; } = new();

    /// <summary>How the peak was found: "bisect" (steps bracketed then bisected) or "staircase" (the stages of staged runs).</summary>
    [JsonPropertyName("method")] public string Method { get; set; } = "bisect";

    /// <summary>Every step in the order it ran (a staircase: every stage, in order, of every staircase run).</summary>
    [JsonPropertyName("steps")] public List<PeakStepRecord> Steps { get; set; } = new();
}

internal sealed class PeakSlo
{
    [JsonPropertyName("maxAvgLatencyMs")] public double MaxAvgLatencyMs { get; set; } = 500;
    [JsonPropertyName("maxCpuBusy")] public double MaxCpuBusy { get; set; } = 85;
    [JsonPropertyName("precision")] public double Precision { get; set; } = 0.05;
}

/// <summary>One step of a peak search: a short burst at a fixed rate and what it showed.</summary>
internal sealed class PeakStepRecord
{
    [JsonPropertyName("rate")] public double Rate { get; set; }
    /// <summary>A staircase's stage this step is (1-based), and its plan (<c>400:20s</c>); null for a bisecting search's step.</summary>
    [JsonPropertyName("stage")] public int? Stage { get; set; }
    [JsonPropertyName("plan")] public string? Plan { get; set; }
    /// <summary>The rate the generator achieved (attempts per second) against <see cref="Rate"/>, the target.</summary>
    [JsonPropertyName("achievedRate")] public double? AchievedRate { get; set; }
    /// <summary>Average total connect latency, ms.</summary>
    [JsonPropertyName("avgLatencyMs")] public double AvgLatencyMs { get; set; }
    [JsonPropertyName("p99LatencyMs")] public double? P99LatencyMs { get; set; }
    /// <summary>The busiest server core over the step, percent busy (null when no monitor answered).</summary>
    [JsonPropertyName("maxCoreBusy")] public double? MaxCoreBusy { get; set; }
    /// <summary>The most a server core had stolen by the hypervisor in a sample of the step, percent (included in
    /// <see cref="MaxCoreBusy"/>; null when no monitor answered).</summary>
    [JsonPropertyName("maxCoreSteal")] public double? MaxCoreSteal { get; set; }
    /// <summary><see cref="MaxCoreSteal"/> when it is worth saying beside a CPU figure (1% or more), else null.</summary>
    [JsonIgnore] public double? NotableSteal => MaxCoreSteal is >= 1 and var steal ? steal : null;
    [JsonPropertyName("attempted")] public long Attempted { get; set; }
    [JsonPropertyName("connected")] public long Connected { get; set; }
    [JsonPropertyName("failed")] public long Failed { get; set; }
    [JsonPropertyName("generatorLimited")] public bool GeneratorLimited { get; set; }
    /// <summary>pass, fail-latency, fail-cpu, fail-errors, generator.</summary>
    [JsonPropertyName("outcome")] public string Outcome { get; set; } = "";
    [JsonPropertyName("note")] public string? Note { get; set; }
}
