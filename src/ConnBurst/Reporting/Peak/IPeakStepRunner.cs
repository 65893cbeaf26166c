namespace ConnBurst.Reporting.Peak;

/// <summary>
/// Runs one step of a peak search: a short burst at a fixed offered rate with fresh connections, all closed after
/// the step. The real one drives the load generator and the monitor; tests use a deterministic fake.
/// </summary>
internal interface IPeakStepRunner
{
    Task<PeakStepResult> RunStepAsync(double rate, CancellationToken ct);
}

/// <summary>What one step showed.</summary>
/// <param name="AvgLatencyMs">Average total connect latency (from the due time), ms.</param>
/// <param name="MaxCoreBusy">The busiest server core over the step, percent; null when no monitor answered.</param>
/// <param name="GeneratorLimited">The generator could not offer the rate (its CPU or scheduler lag said so).</param>
/// <param name="MaxCoreSteal">The most a server core's sample had stolen by the hypervisor over the step, percent: part of
/// <paramref name="MaxCoreBusy"/>, time the server could not run, not time it ran.</param>
internal sealed record PeakStepResult(
    double AvgLatencyMs,
    double? MaxCoreBusy,
    long Attempted,
    long Connected,
    long Failed,
    bool GeneratorLimited = false,
    double? P99LatencyMs = null,
    string? Note = null,
    double? MaxCoreSteal = null);
