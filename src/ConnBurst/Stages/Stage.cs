using System.Globalization;
using ConnBurst.Common;

namespace ConnBurst.Stages;

/// <summary>
/// One stage of a staged plan (<c>--stages</c>): a constant rate (<c>RATE:DURATION</c>), or a linear ramp from one rate to
/// another (<c>FROM..TO:DURATION</c>), over the whole run (every agent together), for <see cref="Duration"/>.
/// </summary>
internal readonly record struct Stage(double From, double To, TimeSpan Duration)
{
    public bool IsRamp => From != To;
    public double Seconds => Duration.TotalSeconds;
    /// <summary>The attempts the stage offers over the whole run.</summary>
    public double Attempts => (From + To) / 2 * Seconds;
    /// <summary>The stage's target rate: its rate, or a ramp's mean (what it offers over its duration).</summary>
    public double TargetRate => (From + To) / 2;
    public double MaxRate => Math.Max(From, To);

    /// <summary>The rate <paramref name="into"/> seconds into the stage.</summary>
    public double RateAt(double into) => From + (To - From) * Math.Clamp(into / Seconds, 0, 1);

    /// <summary>Attempts due in the first <paramref name="into"/> seconds of the stage.</summary>
    public double AttemptsWithin(double into)
    {
        var t = Math.Clamp(into, 0, Seconds);
        return From * t + (To - From) / Seconds * t * t / 2;
    }

    /// <summary>Seconds into the stage at which <paramref name="attempts"/> of its attempts are due (the inverse of
    /// <see cref="AttemptsWithin"/>).</summary>
    public double SecondsWithin(double attempts)
    {
        if (attempts <= 0) return 0;
        if (!IsRamp) return attempts / From;
        // k/2·t² + From·t − a = 0, in the form that is stable for a falling ramp and for From = 0.
        var k = (To - From) / Seconds;
        var root = Math.Sqrt(Math.Max(0, From * From + 2 * k * attempts));
        return Math.Min(Seconds, 2 * attempts / (From + root));
    }

    /// <summary>How the stage is written on the command line: <c>400:20s</c> or <c>100..800:1m</c>.</summary>
    public override string ToString() => IsRamp
        ? $"{Number(From)}..{Number(To)}:{Durations.Format(Duration)}"
        : $"{Number(From)}:{Durations.Format(Duration)}";

    /// <summary>The shortest spelling that parses back to the same rate: a plan must read the same on every agent and worker.</summary>
    internal static string Number(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
