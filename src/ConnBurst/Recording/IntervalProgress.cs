namespace ConnBurst.Recording;

/// <summary>One closed snapshot interval as the live display shows it: merged across every worker.</summary>
internal sealed record IntervalProgress(
    double Seconds,
    long Target,
    long ConnectedNow,
    long Attempted,
    long Connacks,
    double AttemptsPerSec,
    double ConnacksPerSec,
    double TotalP50Ms,
    double TotalP99Ms,
    double SchedulerLagP99Ms,
    double SchedulerLagMaxMs,
    bool Behind,
    IReadOnlyDictionary<string, long> FailuresByKind)
{
    /// <summary>A staged run's stage at the interval's middle (1-based), of <see cref="StageCount"/>; null otherwise.</summary>
    public int? Stage { get; init; }
    public int StageCount { get; init; }
    /// <summary>The attempts per second this agent's plan offered over the interval: what <see cref="AttemptsPerSec"/> achieved.</summary>
    public double? TargetPerSec { get; init; }
}
