namespace ConnBurst.Stages;

/// <summary>
/// The whole run's open-loop arrival schedule as a cumulative count: <see cref="AttemptsAt"/> is how many attempts are
/// due in [t0, t0 + seconds), and attempt slot s (0-based, over every agent, worker and loop) is due at
/// <see cref="SecondsOf"/>(s). A part of the run (<see cref="Shard"/> I/N) takes slots I, I+N, I+2N..., so the union of
/// every part's due times is exactly this schedule, whatever the rate does over time (docs/DECISIONS.md,
/// "Load: staged arrival rates").
/// </summary>
internal abstract class ArrivalSchedule
{
    /// <summary>Attempts due before <paramref name="seconds"/> after t0 (0 before t0).</summary>
    public abstract double AttemptsAt(double seconds);

    /// <summary>Seconds after t0 at which attempt slot <paramref name="slot"/> is due; +∞ when the plan has no such slot.</summary>
    public abstract double SecondsOf(double slot);

    /// <summary>The highest rate the schedule offers (attempts per second over the whole run).</summary>
    public abstract double MaxRate { get; }

    /// <summary>A constant rate with no end (a burst without <c>--stages</c>).</summary>
    public static ArrivalSchedule Constant(double rate) => new ConstantRate(rate);

    private sealed class ConstantRate : ArrivalSchedule
    {
        private readonly double _rate;

        public ConstantRate(double rate)
        {
            if (!(rate > 0) || double.IsInfinity(rate)) throw new ArgumentOutOfRangeException(nameof(rate));
            _rate = rate;
        }

        public override double AttemptsAt(double seconds) => Math.Max(0, seconds) * _rate;
        public override double SecondsOf(double slot) => slot / _rate;
        public override double MaxRate => _rate;
    }
}
