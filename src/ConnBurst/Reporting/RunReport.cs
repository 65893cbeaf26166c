using ConnBurst.Reporting.Analysis;
using ConnBurst.Reporting.Sections;
using ConnBurst.Results;

namespace ConnBurst.Reporting;

/// <summary>
/// Everything a renderer shows about one run, computed once from its <see cref="ResultsDocument"/> (and the
/// monitor results joined to it). Renderers only format these figures; they compute none of their own.
/// </summary>
internal sealed class RunReport
{
    public required ResultsDocument Doc { get; init; }
    /// <summary>The results file it came from (null for an in-memory document).</summary>
    public string? SourcePath { get; init; }
    /// <summary>A short name for tables and legends: the file name without extension, or the kind.</summary>
    public required string Label { get; init; }
    /// <summary>The monitor's figures for the server: the run's own "server" section, or a joined monitor result's.</summary>
    public ServerFigures? Server { get; init; }
    public GeneratorSection? Generator { get; init; }
    public PeakSection? Peak { get; init; }
    /// <summary>The phase the SLO and headline use: total (burst), roundtrip (chat), or the first one present.</summary>
    public string HeadlinePhase { get; init; } = "total";
    public IReadOnlyList<Verdict> Verdicts { get; init; } = [];
    /// <summary>The verdicts taken together (<see cref="Reporting.Verdicts.Overall"/>): what a reader sees first.</summary>
    public OverallVerdict Overall { get; init; } = new(null, false, "");
    public IReadOnlyList<ErrorRow> Errors { get; init; } = [];
    public long FailedTotal { get; init; }
    /// <summary>Bottleneck claims; empty when the run carries no monitor or generator figures.</summary>
    public BottleneckAnalysis? Analysis { get; init; }
    /// <summary>A peak search's analysis of its first failing step, with that step's rate and outcome.</summary>
    public StepAnalysisSection? FirstFailingStep { get; init; }
    /// <summary>A monitor result's own samples, only while the monitor writes them (its renderers need every sample).</summary>
    internal Recordings.MonitorRecording? Recording { get; init; }
    public double DurationSeconds => Math.Max(0, (Doc.EndedAt - Doc.StartedAt).TotalSeconds);

    public LatencySummary? Headline => Doc.Latency.GetValueOrDefault(HeadlinePhase);
}

/// <summary>One judged statement. <see cref="Passed"/> is null when the data cannot judge it.</summary>
internal sealed record Verdict(string Name, bool? Passed, string Text, VerdictRole Role = VerdictRole.Check)
{
    public string Mark => Passed switch { true => "PASS", false => "FAIL", null => "n/a" };
}

/// <summary>What a verdict counts for: the run's outcome, a check of its own (errors), or part of the SLO.</summary>
internal enum VerdictRole { Outcome, Check, Slo }

/// <summary>
/// A run's verdicts in one: <see cref="SloMet"/> (null when no SLO check could be judged), whether any check at all
/// failed (an SLO can be met by a run that lost connections), and the sentence shown beside it.
/// </summary>
internal sealed record OverallVerdict(bool? SloMet, bool AnyFailed, string Headline)
{
    public string SloText => SloMet switch { null => "SLO not judged", true => "SLO met", false => "SLO not met" };
}

/// <summary>One failure reason, its count and its share of attempts (0..1).</summary>
internal sealed record ErrorRow(string Reason, long Count, double ShareOfAttempts);

/// <summary>The SLO a report judges against (the MQTT benchmark's: average connect latency under 500 ms, no core over 85% busy).</summary>
internal sealed record ReportSlo(double MaxAvgLatencyMs = 500, double MaxCpuBusy = 85);
