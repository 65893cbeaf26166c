using ConnBurst.Stages;

namespace ConnBurst.Load;

/// <summary>One attempt the pacer releases: which client, and when it was due (Stopwatch timestamp ticks).</summary>
internal readonly record struct DueAttempt(int Client, long DueTicks);

/// <summary>
/// Open-loop pacing (docs/DECISIONS.md, "Load: latency is measured from the due time"): the attempts of one part of
/// the run (an agent's, a worker's, an event loop's: a <see cref="Shard"/> of the whole) leave on the whole run's
/// <see cref="ArrivalSchedule"/>,
/// first-wave attempt i of part I/N due at exactly the schedule's slot I + i·N. Reconnects join a ready queue and take
/// the part's next free slot. Pure logic over timestamps: the scheduler calls <see cref="TakeDue"/> from its tick and
/// launches what it returns, so there is no busy-wait and no sleep per connection. Due times never move because the
/// caller was late: latency is measured from them, so a stalled generator shows up as latency instead of hiding
/// (coordinated omission). When no client is ready at a slot, the next one leaves when it is ready and the slot after it
/// one part's stride later on the schedule. Not thread-safe: one scheduler thread owns it.
/// </summary>
internal sealed class Pacer
{
    private readonly long _t0;
    private readonly long _ticksPerSecond;
    private readonly ArrivalSchedule _schedule;
    private readonly int _stride;
    private readonly int _firstWave;
    private int _firstWaveNext;
    /// <summary>The schedule's slot (in whole-run attempts) of this part's next free slot.</summary>
    private double _slot;
    private readonly PriorityQueue<int, long> _ready = new();

    /// <summary>A whole run at a constant rate (tests, and anything that is not a part).</summary>
    public Pacer(long t0, double rate, int firstWave, long ticksPerSecond)
        : this(t0, ArrivalSchedule.Constant(rate), Shard.Whole, firstWave, ticksPerSecond) { }

    /// <param name="t0">Stopwatch timestamp of the whole run's t0 (slot 0 of the schedule).</param>
    /// <param name="schedule">The whole run's arrival schedule.</param>
    /// <param name="part">Which slots are this pacer's: I, I+N, I+2N...</param>
    /// <param name="firstWave">Clients 0..firstWave-1 are ready at t0, in order.</param>
    /// <param name="ticksPerSecond">The timestamp frequency (Stopwatch.Frequency).</param>
    public Pacer(long t0, ArrivalSchedule schedule, Shard part, int firstWave, long ticksPerSecond)
    {
        _t0 = t0;
        _ticksPerSecond = ticksPerSecond;
        _schedule = schedule;
        _stride = part.Count;
        _slot = part.Index;
        _firstWave = firstWave;
    }

    /// <summary>Attempts not yet released: the rest of the first wave plus queued reconnects.</summary>
    public int Pending => _firstWave - _firstWaveNext + _ready.Count;

    /// <summary>How many first-wave clients have been released.</summary>
    public int FirstWaveReleased => _firstWaveNext;

    /// <summary>When this part's first slot is due (ticks), or long.MaxValue when the schedule has none for it.</summary>
    public long FirstSlot => SlotTicks(_slot);

    /// <summary>Queues a client to connect again, ready from <paramref name="readyTicks"/> (its reconnect delay's end).</summary>
    public void EnqueueReconnect(int client, long readyTicks) => _ready.Enqueue(client, readyTicks);

    /// <summary>Adds every attempt due at or before <paramref name="now"/> to <paramref name="due"/>, in due order; returns how
    /// many.</summary>
    public int TakeDue(long now, List<DueAttempt> due, int max = int.MaxValue)
    {
        int n = 0;
        while (n < max && Next(out var client, out var dueAt, out var onSlot) && dueAt <= now)
        {
            if (client < 0) client = _firstWaveNext++;
            else _ready.Dequeue();
            due.Add(new DueAttempt(client, dueAt));
            // On its slot: the next slot is one stride on. Late for want of a ready client: the stride is counted from when
            // it left, so a reconnect wave after a gap is paced, not released at once.
            _slot = onSlot ? _slot + _stride : _schedule.AttemptsAt(ToSeconds(dueAt)) + _stride;
            n++;
        }
        return n;
    }

    /// <summary>When the next attempt is due (ticks), or null when nothing is pending or the schedule has ended.</summary>
    public long? NextDue() => Next(out _, out var dueAt, out _) ? dueAt : null;

    /// <summary>The next attempt: the client (-1: the next of the first wave), when it is due, and whether its slot set that.</summary>
    private bool Next(out int client, out long dueAt, out bool onSlot)
    {
        long ready;
        client = -1;
        dueAt = 0;
        onSlot = false;
        // First-wave clients are all ready at t0, so they precede any reconnect (FIFO by readiness).
        if (_firstWaveNext < _firstWave) ready = _t0;
        else if (!_ready.TryPeek(out client, out ready)) return false;
        var slot = SlotTicks(_slot);
        if (slot == long.MaxValue) return false; // the schedule has ended
        onSlot = slot >= ready;
        dueAt = Math.Max(ready, slot);
        return true;
    }

    private long SlotTicks(double slot)
    {
        var seconds = _schedule.SecondsOf(slot);
        if (double.IsPositiveInfinity(seconds)) return long.MaxValue;
        return _t0 + (long)Math.Ceiling(seconds * _ticksPerSecond - 1e-6);
    }

    private double ToSeconds(long ticks) => (ticks - _t0) / (double)_ticksPerSecond;
}
