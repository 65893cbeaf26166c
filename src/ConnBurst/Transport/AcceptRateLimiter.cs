using System.Diagnostics;

namespace ConnBurst.Transport;

/// <summary>
/// A deliberate throttle for the peak search's tests (<c>--max-accept-rate R</c>): the accept loop takes at most R new
/// connections per second, paced evenly (accept i is due at t0 + i/R). Connections beyond that wait in the kernel backlog.
/// </summary>
internal sealed class AcceptRateLimiter(double perSecond)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _count;

    /// <summary>How long to wait before the next accept is due (zero when it is due now).</summary>
    public TimeSpan NextDelay()
    {
        var due = TimeSpan.FromSeconds(_count / perSecond);
        _count++;
        var late = due - Stopwatch.GetElapsedTime(_start);
        return late > TimeSpan.Zero ? late : TimeSpan.Zero;
    }
}
