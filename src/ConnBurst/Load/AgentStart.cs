using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ConnBurst.Load;

/// <summary>
/// When this agent really started against when it was told to (<c>--start-at</c>): the wall clock read at the moment
/// the monotonic clock reached t0. Agents never talk to each other, so this record in each results file is how an
/// operator sees that they started together (or that a clock was stepped while one waited).
/// </summary>
internal sealed class AgentStart
{
    private readonly DateTimeOffset _startAt;
    private readonly DateTimeOffset _readyAt;
    private DateTimeOffset? _wallClockAtStart;

    private AgentStart(DateTimeOffset startAt, DateTimeOffset readyAt)
    {
        _startAt = startAt;
        _readyAt = readyAt;
    }

    /// <summary>Starts watching for t0 (one sleeping task; nothing polls).</summary>
    public static AgentStart Watch(DateTimeOffset startAt, DateTimeOffset readyAt, CancellationToken ct)
    {
        var a = new AgentStart(startAt, readyAt);
        var t0 = Stopwatch.GetTimestamp() + (long)(Math.Max(0, (startAt - DateTimeOffset.UtcNow).TotalSeconds) * Stopwatch.Frequency);
        _ = Task.Run(async () =>
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), t0);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct).ConfigureAwait(false);
            while (Stopwatch.GetTimestamp() < t0) await Task.Delay(1, ct).ConfigureAwait(false); // a timer may fire a little early
            a._wallClockAtStart = DateTimeOffset.UtcNow;
        }, ct);
        return a;
    }

    /// <summary>The results' "agent" section.</summary>
    public JsonObject Describe(Shard shard) => new()
    {
        ["shard"] = shard.ToString(),
        ["host"] = Environment.MachineName,
        ["startAt"] = StartTime.Format(_startAt),
        ["readyAt"] = StartTime.Format(_readyAt),
        ["startMarginMs"] = Math.Round((_startAt - _readyAt).TotalMilliseconds, 1),
        ["wallClockAtStart"] = _wallClockAtStart is { } w ? StartTime.Format(w) : null,
        ["startOffsetMs"] = _wallClockAtStart is { } s ? Math.Round((s - _startAt).TotalMilliseconds, 3) : null,
    };
}
