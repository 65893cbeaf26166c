using ConnBurst.Recording;

namespace ConnBurst.Load;

/// <summary>
/// One connection lifecycle for both I/O paths (docs/DECISIONS.md, "Load: one connection lifecycle, two I/O paths"): what
/// an attempt's start, its connect, its hold, its close and its next cycle do to the client's slot, counters and stage,
/// written once. The event loops (libssl, BurstEngine.Loop*.cs) and the thread-pool path (SslStream,
/// BurstEngine.Connection.cs) only move bytes and arm their own deadline queues; the deadlines' rules are
/// <see cref="HeartbeatRules"/>' and the failures' <see cref="CountFailure"/>'s.
/// </summary>
internal sealed partial class BurstEngine
{
    /// <summary>An attempt leaves: the slot is connecting with its timeout from the due time, counted in the run and its stage.</summary>
    private void BeginAttempt(ClientSlot slot, long dueTicks)
    {
        if (_stages is not null) slot.Stage = _stages.StageOf(dueTicks);
        slot.StartAttempt(dueTicks + _timeoutTicks);
        Counters.Attempt();
    }

    /// <summary>The attempt really started <paramref name="lateTicks"/> after it was due: the scheduler's lag, run and stage.</summary>
    private void CountStart(ClientSlot slot, long lateTicks)
    {
        var micros = Math.Max(1, Micros(lateTicks));
        Recorders.Record(BurstPhase.SchedulerLag, micros);
        _stages?.Attempt(slot.Stage, Micros(lateTicks));
    }

    /// <summary>
    /// A connected client is held from <paramref name="done"/>: keepalive (none with TLS only) and its linger's end, which the
    /// caller arms on its own deadline queue when there is one (returned; null: held until the run ends).
    /// </summary>
    private long? BeginHold(ClientSlot slot, long done)
    {
        Volatile.Write(ref _consecutiveRefused, 0);
        slot.Connects++;
        var linger = _plan.LingerOf(slot.Global);
        slot.NextPing = _tlsOnly ? long.MaxValue : done + _keepAliveTicks; // no PINGRESP is owed yet: the attempt's start cleared it
        slot.Deadline = linger is { } l ? done + (long)(l.TotalSeconds * Frequency) : long.MaxValue;
        return linger is null ? null : slot.Deadline;
    }

    /// <summary>A held connection is over: a lost keepalive, or a disconnect by the server or by us.</summary>
    private void CountClosed(ClientSlot slot, bool byServer)
    {
        if (slot.KeepaliveExpired) Counters.KeepaliveLost();
        else Counters.Disconnected(byServer);
    }

    /// <summary>
    /// After a client's connection is over: its next cycle's start (its reconnect delay's end, which the caller arms on its
    /// own queue), or null when the client is done.
    /// </summary>
    private long? NextCycle(ClientSlot slot, long now)
    {
        if (_cycles && !_stopping && _plan.LingerOf(slot.Global) is not null)
        {
            slot.Deadline = now + (long)(_plan.ReconnectDelayOf(slot.Global).TotalSeconds * Frequency);
            slot.Set(ClientState.ReconnectWait);
            return slot.Deadline;
        }
        slot.Set(ClientState.Done);
        return null;
    }
}
