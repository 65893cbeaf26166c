namespace ConnBurst.Load;

/// <summary>One attempt the pacer releases: which client, and when it was due (Stopwatch timestamp ticks).</summary>
internal readonly record struct DueAttempt(int Client, long DueTicks);

/// <summary>
/// Open-loop pacing (docs/DECISIONS.md, "Load: open-loop pacing from one scheduler tick"): attempts leave at most <c>rate</c> per second,
/// attempt i of the first wave
/// due at exactly <c>t0 + i/rate</c>. Reconnects join a ready queue and take the next free slot, paced the same way.
/// Pure logic over timestamps: the scheduler calls <see cref="TakeDue"/> from its tick and launches what it
/// returns, so there is no busy-wait and no sleep per connection. Due times never move because the caller was late:
/// latency is measured from them, so a stalled generator shows up as latency instead of hiding (coordinated omission).
/// Not thread-safe: one scheduler thread owns it; <see cref="EnqueueReconnect"/> may be called only from that thread.
/// </summary>
internal sealed class Pacer
{
    private readonly long _t0;
    private readonly double _ticksPerAttempt;
    private readonly int _firstWave;
    private int _firstWaveNext;
    private long _slotsUsed;
    private double _nextFreeSlot; // absolute ticks: no attempt may be due before it
    private readonly PriorityQueue<int, long> _ready = new();

    /// <param name="t0">Stopwatch timestamp of the first attempt.</param>
    /// <param name="rate">Attempts per second (&gt; 0).</param>
    /// <param name="firstWave">Clients 0..firstWave-1 are ready at t0, in order.</param>
    /// <param name="ticksPerSecond">The timestamp frequency (TimeProvider.TimestampFrequency).</param>
    public Pacer(long t0, double rate, int firstWave, long ticksPerSecond)
    {
        if (rate <= 0 || double.IsNaN(rate) || double.IsInfinity(rate)) throw new ArgumentOutOfRangeException(nameof(rate));
        _t0 = t0;
        _ticksPerAttempt = ticksPerSecond / rate;
        _firstWave = firstWave;
        _nextFreeSlot = t0;
    }

    /// <summary>Attempts not yet released: the rest of the first wave plus queued reconnects.</summary>
    public int Pending => _firstWave - _firstWaveNext + _ready.Count;

    /// <summary>How many first-wave clients have been released.</summary>
    public int FirstWaveReleased => _firstWaveNext;

    /// <summary>Queues a client to connect again, ready from <paramref name="readyTicks"/> (its reconnect delay's end).</summary>
    public void EnqueueReconnect(int client, long readyTicks) => _ready.Enqueue(client, readyTicks);

    /// <summary>Adds every attempt due at or before <paramref name="now"/> to <paramref name="due"/>, in due order; returns how
    /// many.</summary>
    public int TakeDue(long now, List<DueAttempt> due, int max = int.MaxValue)
    {
        int n = 0;
        while (n < max)
        {
            // First-wave clients are all ready at t0, so they precede any reconnect (FIFO by readiness).
            long ready;
            bool fromFirstWave = _firstWaveNext < _firstWave;
            if (fromFirstWave)
            {
                ready = _t0;
            }
            else if (_ready.TryPeek(out _, out ready)) { }
            else
            {
                break;
            }

            // First-wave slots are computed from the slot index so they never drift: exactly t0 + i/rate.
            double slot = _slotsUsed == _firstWaveNext && fromFirstWave ? _t0 + _slotsUsed * _ticksPerAttempt : _nextFreeSlot;
            long dueAt = Math.Max(ready, (long)Math.Ceiling(slot));
            if (dueAt > now) break;

            int client = fromFirstWave ? _firstWaveNext++ : _ready.Dequeue();
            due.Add(new DueAttempt(client, dueAt));
            _slotsUsed++;
            _nextFreeSlot = dueAt + _ticksPerAttempt;
            n++;
        }
        return n;
    }

    /// <summary>When the next attempt is due (ticks), or null when nothing is pending.</summary>
    public long? NextDue()
    {
        long ready;
        if (_firstWaveNext < _firstWave) ready = _t0;
        else if (!_ready.TryPeek(out _, out ready)) return null;
        double slot = _slotsUsed == _firstWaveNext && _firstWaveNext < _firstWave ? _t0 + _slotsUsed * _ticksPerAttempt : _nextFreeSlot;
        return Math.Max(ready, (long)Math.Ceiling(slot));
    }
}
