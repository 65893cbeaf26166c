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
    IReadOnlyDictionary<string, long> FailuresByKind);
