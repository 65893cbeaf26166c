namespace ConnBurst.Load;

/// <summary>What the scheduler knows on a tick when it asks whether the run is over.</summary>
internal readonly record struct StopInputs(
    bool Cancelled, long Now, long End, bool DurationGiven, int ConsecutiveRefused, int PeerLostAfter,
    long ConnectedNow, bool Cycles, int Pending, long InFlight)
{
    /// <summary>A staged run's last stage's end (long.MaxValue otherwise): no attempt is due after it, and the run is over once
    /// those in flight have settled.</summary>
    public long PlanEnd { get; init; } = long.MaxValue;
}

/// <summary>
/// When one engine's share of a burst ends, and why: pure, so each rule and their order are tested on their own.
/// </summary>
internal static class StopRules
{
    /// <summary>
    /// Refusals in a row that mean the server is gone: three seconds' worth of attempts, at least 20. The rate is the
    /// engine's own share (the run's rate over agents and workers), since each engine counts only its own refusals.
    /// </summary>
    public static int PeerLostAfter(double rate) => Math.Max(20, (int)(rate * 3));

    /// <summary>The outcome to stop with, or null to go on. Ctrl-C first, then the duration, then the server gone, then natural
    /// completion.</summary>
    public static string? Decide(in StopInputs s)
    {
        if (s.Cancelled) return BurstOutcomes.Interrupted;
        if (s.Now >= s.End) return BurstOutcomes.Completed;
        if (s.Now >= s.PlanEnd && s.InFlight <= 0) return BurstOutcomes.Completed;
        // A run without --duration would otherwise attempt against a dead server for ever; one with a duration is
        // bounded, and goes on through an outage so that the results show it and the recovery.
        if (!s.DurationGiven && s.ConsecutiveRefused >= s.PeerLostAfter && s.ConnectedNow == 0) return BurstOutcomes.PeerLost;
        if (!s.DurationGiven && !s.Cycles && s.Pending == 0 && s.InFlight == 0) return BurstOutcomes.Completed;
        return null;
    }
}
