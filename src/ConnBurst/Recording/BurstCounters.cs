using System.Collections.Concurrent;

namespace ConnBurst.Recording;

/// <summary>
/// One worker's counters, updated lock-free from connection callbacks. Failures are counted by family
/// (<see cref="FailureKind"/>) and by precise reason ("tcp-refused", "tls-alert-certificate-revoked", "connack-0x87").
/// <see cref="TakeDelta"/> returns what changed since the previous call, so deltas from many workers simply add.
/// </summary>
internal sealed class BurstCounters
{
    private long _attempted, _connacks, _abandoned, _disconnectedByServer, _lingerDisconnects, _keepaliveLost, _pings, _pongs, _resumed;
    private long _unconfirmed;
    private long _connectedNow, _inFlight;
    private readonly long[] _byKind = new long[Enum.GetValues<FailureKind>().Length];
    private readonly ConcurrentDictionary<string, StrongBox> _byReason = new(StringComparer.Ordinal);
    private CounterSnapshot _last = new();

    private sealed class StrongBox { public long Value; }

    public void Attempt() { Interlocked.Increment(ref _attempted); Interlocked.Increment(ref _inFlight); }

    public void Connacked() { Interlocked.Increment(ref _connacks); Interlocked.Increment(ref _connectedNow); Interlocked.Decrement(
        ref _inFlight); }

    /// <summary>
    /// A TLS-only TLS 1.3 handshake the server said nothing after within the connect timeout: held like a connect, but not
    /// counted as one, since the server's verdict on our certificate never came.
    /// </summary>
    public void TlsUnconfirmed() { Interlocked.Increment(ref _unconfirmed); Interlocked.Increment(ref _connectedNow); Interlocked.Decrement(
        ref _inFlight); }

    /// <summary>An attempt still in flight when the run ended: neither a success nor the server's failure.</summary>
    public void Abandoned() { Interlocked.Decrement(ref _inFlight); Interlocked.Increment(ref _abandoned); }

    public void Failed(FailureKind kind, string reason)
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _byKind[(int)kind]);
        Interlocked.Increment(ref _byReason.GetOrAdd(reason, static _ => new StrongBox()).Value);
    }

    /// <summary>A connected client went away: by our choice (linger end, run end) or the server's.</summary>
    public void Disconnected(bool byServer)
    {
        Interlocked.Decrement(ref _connectedNow);
        if (byServer) Interlocked.Increment(ref _disconnectedByServer);
        else Interlocked.Increment(ref _lingerDisconnects);
    }

    /// <summary>A held connection whose PINGRESP never came (a partition, a hung server): we closed it.</summary>
    public void KeepaliveLost()
    {
        Interlocked.Decrement(ref _connectedNow);
        Interlocked.Increment(ref _keepaliveLost);
    }

    public void PingSent() => Interlocked.Increment(ref _pings);
    public void PongReceived() => Interlocked.Increment(ref _pongs);

    /// <summary>A handshake that resumed a session (<c>--resume</c>; counted where the TLS engine can tell).</summary>
    public void TlsResumed() => Interlocked.Increment(ref _resumed);

    public long ConnectedNow => Volatile.Read(ref _connectedNow);
    public long InFlight => Volatile.Read(ref _inFlight);
    public long Attempted => Volatile.Read(ref _attempted);

    /// <summary>Cumulative values now.</summary>
    public CounterSnapshot Snapshot()
    {
        var s = new CounterSnapshot();
        s.Totals["attempted"] = Volatile.Read(ref _attempted);
        s.Totals["connacks"] = Volatile.Read(ref _connacks);
        s.Totals["disconnectedByServer"] = Volatile.Read(ref _disconnectedByServer);
        s.Totals["disconnectedByClient"] = Volatile.Read(ref _lingerDisconnects);
        s.Totals["abandonedAtEnd"] = Volatile.Read(ref _abandoned);
        s.Totals["keepaliveLost"] = Volatile.Read(ref _keepaliveLost);
        s.Totals["pingreqs"] = Volatile.Read(ref _pings);
        s.Totals["pingresps"] = Volatile.Read(ref _pongs);
        s.Totals["tlsResumed"] = Volatile.Read(ref _resumed);
        s.Totals["tlsUnconfirmed"] = Volatile.Read(ref _unconfirmed);
        foreach (var k in Enum.GetValues<FailureKind>()) s.Totals[k.Name()] = Volatile.Read(ref _byKind[(int)k]);
        foreach (var (reason, box) in _byReason) s.Failures[reason] = Volatile.Read(ref box.Value);
        s.Gauges["connectedNow"] = ConnectedNow;
        s.Gauges["inFlight"] = InFlight;
        return s;
    }

    /// <summary>What changed since the previous call (gauges are current values, not deltas). Call from one thread.</summary>
    public CounterSnapshot TakeDelta()
    {
        var now = Snapshot();
        var delta = now.Minus(_last);
        _last = now;
        return delta;
    }
}

/// <summary>Counters at a moment, or between two moments: monotonic totals, failure reasons, and gauges.</summary>
internal sealed class CounterSnapshot
{
    public SortedDictionary<string, long> Totals { get; set; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, long> Failures { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Current levels (connectedNow, inFlight): these add across workers but are never differenced.</summary>
    public SortedDictionary<string, long> Gauges { get; set; } = new(StringComparer.Ordinal);

    public long Total(string name) => Totals.GetValueOrDefault(name);
    public long Gauge(string name) => Gauges.GetValueOrDefault(name);

    public CounterSnapshot Minus(CounterSnapshot earlier)
    {
        var d = new CounterSnapshot();
        foreach (var (k, v) in Totals) d.Totals[k] = v - earlier.Totals.GetValueOrDefault(k);
        foreach (var (k, v) in Failures)
        {
            var x = v - earlier.Failures.GetValueOrDefault(k);
            if (x != 0) d.Failures[k] = x;
        }
        foreach (var (k, v) in Gauges) d.Gauges[k] = v;
        return d;
    }

    /// <summary>Adds another worker's delta (or another interval) into this one; gauges add too (levels across workers).</summary>
    public void Add(CounterSnapshot other, bool addGauges = true)
    {
        foreach (var (k, v) in other.Totals) Totals[k] = Totals.GetValueOrDefault(k) + v;
        foreach (var (k, v) in other.Failures) Failures[k] = Failures.GetValueOrDefault(k) + v;
        if (addGauges) foreach (var (k, v) in other.Gauges) Gauges[k] = Gauges.GetValueOrDefault(k) + v;
    }
}
