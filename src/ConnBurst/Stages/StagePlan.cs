using System.Globalization;
using ConnBurst.Common;

namespace ConnBurst.Stages;

/// <summary>
/// A staged arrival plan (<c>burst --stages 100:20s,200:20s,400..800:40s</c>): the whole run's rate over time, held
/// identically by every agent, as k6's ramping-arrival-rate. Stage i starts at <see cref="StartSeconds"/>[i] after t0,
/// the same wall-clock instant on every agent, which is what lets agents' per-stage results and a monitor's recording
/// be cut into the same stages after the run (docs/DECISIONS.md, "Load: staged arrival rates").
/// </summary>
internal sealed class StagePlan : ArrivalSchedule
{
    /// <summary>More stages than anyone types, few enough that per-stage results stay small.</summary>
    public const int MaxStages = 200;

    public IReadOnlyList<Stage> Stages { get; }
    private readonly double[] _startSeconds;
    private readonly double[] _startAttempts;

    private StagePlan(IReadOnlyList<Stage> stages)
    {
        Stages = stages;
        _startSeconds = new double[stages.Count + 1];
        _startAttempts = new double[stages.Count + 1];
        for (int i = 0; i < stages.Count; i++)
        {
            _startSeconds[i + 1] = _startSeconds[i] + stages[i].Seconds;
            _startAttempts[i + 1] = _startAttempts[i] + stages[i].Attempts;
        }
    }

    public int Count => Stages.Count;
    /// <summary>Seconds from t0 to the start of stage <paramref name="i"/> (<see cref="Count"/>: the plan's end).</summary>
    public double StartSeconds(int i) => _startSeconds[i];
    public double EndSeconds(int i) => _startSeconds[i + 1];
    public double TotalSeconds => _startSeconds[^1];
    public TimeSpan Total => TimeSpan.FromSeconds(TotalSeconds);
    /// <summary>Attempts the whole plan offers (every agent together).</summary>
    public double TotalAttempts => _startAttempts[^1];
    public override double MaxRate => Stages.Max(s => s.MaxRate);

    /// <summary>The stage whose time holds <paramref name="seconds"/> after t0 (the last one at or after the end).</summary>
    public int StageAt(double seconds)
    {
        int i = Array.BinarySearch(_startSeconds, 0, Count, seconds);
        if (i < 0) i = ~i - 1;
        return Math.Clamp(i, 0, Count - 1);
    }

    public override double AttemptsAt(double seconds)
    {
        if (seconds <= 0) return 0;
        if (seconds >= TotalSeconds) return TotalAttempts;
        var i = StageAt(seconds);
        return _startAttempts[i] + Stages[i].AttemptsWithin(seconds - _startSeconds[i]);
    }

    public override double SecondsOf(double slot)
    {
        // A slot the plan does not reach (rounding included) is never due: the plan has ended.
        if (slot < 0) return 0;
        if (slot > TotalAttempts - 1e-9) return double.PositiveInfinity;
        int i = Array.BinarySearch(_startAttempts, 0, Count, slot);
        if (i < 0) i = ~i - 1;
        i = Math.Clamp(i, 0, Count - 1);
        // A stage that offers no attempts before this slot (a ramp from 0) is skipped by the search above.
        while (i + 1 < Count && _startAttempts[i + 1] <= slot) i++;
        return _startSeconds[i] + Stages[i].SecondsWithin(slot - _startAttempts[i]);
    }

    /// <summary>The plan as written on the command line, one canonical spelling: what agents compare.</summary>
    public override string ToString() => string.Join(',', Stages.Select(s => s.ToString()));

    /// <summary>Parses <c>RATE:DURATION</c> and <c>FROM..TO:DURATION</c>, comma-separated; one line naming the stage on error.</summary>
    public static StagePlan Parse(string text, string what = "--stages")
    {
        if (string.IsNullOrWhiteSpace(text)) throw new InputException($"{what}: give at least one stage, RATE:DURATION (e.g. 100:20s)");
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > MaxStages) throw new InputException($"{what}: {parts.Length} stages; at most {MaxStages}");
        var stages = new List<Stage>(parts.Length);
        for (int i = 0; i < parts.Length; i++) stages.Add(ParseStage(parts[i], $"{what}: stage {i + 1} '{parts[i]}'"));
        return new StagePlan(stages);
    }

    private static Stage ParseStage(string text, string what)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
            throw new InputException($"{what}: is not RATE:DURATION or FROM..TO:DURATION (e.g. 200:20s, 100..800:1m)");
        var rates = text[..colon];
        if (!Durations.TryParse(text[(colon + 1)..], out var duration))
            throw new InputException($"{what}: '{text[(colon + 1)..]}' is not a duration (use e.g. 500ms, 20s, 2m)");
        if (duration <= TimeSpan.Zero) throw new InputException($"{what}: the duration must be positive");
        if (duration < TimeSpan.FromMilliseconds(100)) throw new InputException($"{what}: a stage lasts at least 100ms");
        var ramp = rates.Split("..");
        if (ramp.Length > 2) throw new InputException($"{what}: a ramp is FROM..TO (e.g. 100..800:1m)");
        var from = Rate(ramp[0], what, allowZero: ramp.Length == 2);
        var to = ramp.Length == 2 ? Rate(ramp[1], what, allowZero: true) : from;
        if (!(from + to > 0)) throw new InputException($"{what}: a ramp from 0 to 0 offers nothing; give a positive rate");
        return new Stage(from, to, duration);
    }

    private static double Rate(string text, string what, bool allowZero)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) || double.IsNaN(r) || double.IsInfinity(r))
            throw new InputException($"{what}: '{text}' is not a rate (attempts per second, e.g. 200)");
        if (r < 0 || (r == 0 && !allowZero))
            throw new InputException($"{what}: the rate must be positive{(allowZero ? " or zero" : "")}, not {text}");
        return r;
    }
}
