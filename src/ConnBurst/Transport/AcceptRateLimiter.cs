using System.Diagnostics;

namespace ConnBurst.Transport;

/// <summary>
/// A deliberate throttle for the peak search's tests (<c>--max-accept-rate R</c>): the accept loop takes at most R new
/// connections per second, paced evenly (one every 1/R). Connections beyond that wait in the kernel backlog.
/// Idle time earns no credit: after a pause the next accept is due at once and the one after 1/R later, so a step
/// of the peak search that follows a quiet spell meets the same rate as one that does not.
/// </summary>
internal sealed class AcceptRateLimiter(double perSecond)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly TimeSpan _interval = TimeSpan.FromSeconds(1 / perSecond);
    private TimeSpan _next;

    /// <summary>How long to wait before the next accept is due (zero when it is due now).</summary>
    public TimeSpan NextDelay() => NextDelay(Stopwatch.GetElapsedTime(_start));

    /// <summary>The same, at <paramref name="now"/> since start (tests drive the clock).</summary>
    internal TimeSpan NextDelay(TimeSpan now)
    {
        if (_next < now) _next = now; // behind schedule: drop the unused credit
        var wait = _next - now;
        _next += _interval;
        return wait;
    }
}
