using System.Collections.Concurrent;

namespace ConnBurst.Load;

/// <summary>The deadlines that shape the load: a linger's end (disconnect), a reconnect delay's end (queue for the pacer).</summary>
internal enum DeadlineKind : byte { Linger, Reconnect }

/// <summary>
/// Linger and reconnect deadlines for every client, as values in a priority queue, not Timers: armed from any thread
/// (connection I/O posts them into an inbox), taken in due order on the scheduler's tick. A deadline armed for an
/// earlier connection of the same client (its connect count moved on) is stale and dropped when it comes due.
/// </summary>
internal sealed class DeadlineQueue
{
    private readonly ConcurrentQueue<(ClientSlot Slot, long Due, DeadlineKind Kind, int Cycle)> _inbox = new();
    private readonly PriorityQueue<(ClientSlot Slot, DeadlineKind Kind, int Cycle), long> _queue = new();

    /// <summary>Any thread.</summary>
    public void Arm(ClientSlot slot, long due, DeadlineKind kind) => _inbox.Enqueue((slot, due, kind, slot.Connects));

    /// <summary>True when something was armed since the last <see cref="TakeDue"/> (the scheduler must not sleep past it).</summary>
    public bool HasNew => !_inbox.IsEmpty;

    /// <summary>The earliest deadline, including any armed since the last call (scheduler thread).</summary>
    public bool TryPeekDue(out long due)
    {
        TakeIn();
        return _queue.TryPeek(out _, out due);
    }

    private void TakeIn()
    {
        while (_inbox.TryDequeue(out var t)) _queue.Enqueue((t.Slot, t.Kind, t.Cycle), t.Due);
    }

    /// <summary>
    /// The next deadline due at or before <paramref name="now"/>, stale ones left out (scheduler thread). Takes in what
    /// was armed since the last call first. No allocation: the scheduler calls it on every tick.
    /// </summary>
    public bool TryTakeDue(long now, out ClientSlot slot, out DeadlineKind kind, out long due)
    {
        TakeIn();
        while (_queue.TryPeek(out var next, out due) && due <= now)
        {
            _queue.Dequeue();
            if (next.Cycle != next.Slot.Connects) continue;
            (slot, kind) = (next.Slot, next.Kind);
            return true;
        }
        (slot, kind, due) = (null!, default, 0);
        return false;
    }
}
