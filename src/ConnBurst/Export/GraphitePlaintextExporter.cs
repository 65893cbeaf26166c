using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ConnBurst.Common;

namespace ConnBurst.Export;

/// <summary>Counters of a <see cref="GraphitePlaintextExporter"/>: what went out, what was dropped, how the connection fared.</summary>
internal readonly record struct GraphiteStats(long LinesQueued, long BytesSent, long LinesDropped, long Connects, long Failures,
    bool Connected, string? LastError);

/// <summary>
/// Sends metrics to Graphite's plaintext listener (carbon, port 2003): one line <c>path value epoch\n</c> per
/// metric, over one TCP connection that is reused and re-established with backoff (0.5 s doubling to 30 s) when
/// it breaks. Producers (the monitor's sampler, the load generator's snapshots) only copy bytes into a buffer
/// under a short lock, so <see cref="Enqueue(ReadOnlySpan{byte}, double, long)"/> never blocks on the network
/// and never throws; a background task does the I/O. While carbon is unreachable lines wait, up to
/// <c>maxBufferedBytes</c>; beyond that new lines are dropped and counted, never the process's memory.
/// <code>
/// await using var g = new GraphitePlaintextExporter(HostPort.Parse("127.0.0.1:2003"));
/// var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
/// g.Enqueue("bench.connburst.agent1.CON", 1234, now);
/// g.Enqueue("bench.connburst.agent1.ConnLat_99P", 17.5, now);
/// g.Flush();                                   // optional: send now rather than within 250 ms
/// </code>
/// </summary>
internal sealed class GraphitePlaintextExporter : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    private readonly HostPort _endpoint;
    private readonly int _maxBufferedBytes;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private byte[] _pending = new byte[16 * 1024];
    private int _pendingLength;
    private byte[] _sending = new byte[16 * 1024];
    private int _sendingLength;
    private Socket? _socket;
    private long _queued, _sent, _dropped, _connects, _failures;
    private string? _lastError;

    public GraphitePlaintextExporter(HostPort endpoint, int maxBufferedBytes = 4 * 1024 * 1024)
    {
        _endpoint = endpoint;
        _maxBufferedBytes = maxBufferedBytes;
        _loop = Task.Run(SendLoopAsync);
    }

    public HostPort Endpoint => _endpoint;

    public GraphiteStats Stats
    {
        get
        {
            lock (_gate)
            {
                return new GraphiteStats(_queued, Interlocked.Read(ref _sent), _dropped, Interlocked.Read(ref _connects),
                    Interlocked.Read(ref _failures), _socket is not null, _lastError);
            }
        }
    }

    /// <summary>Queues one metric. <paramref name="path"/> is the dotted UTF-8 metric path; NaN and infinite values are skipped (carbon
    /// cannot store them).</summary>
    public void Enqueue(ReadOnlySpan<byte> path, double value, long epochSeconds)
    {
        if (!double.IsFinite(value) || path.IsEmpty) return;
        Span<byte> tail = stackalloc byte[64];
        var n = 0;
        tail[n++] = (byte)' ';
        value.TryFormat(tail[n..], out var w, "R", CultureInfo.InvariantCulture);
        n += w;
        tail[n++] = (byte)' ';
        epochSeconds.TryFormat(tail[n..], out w, default, CultureInfo.InvariantCulture);
        n += w;
        tail[n++] = (byte)'\n';
        var length = path.Length + n;
        lock (_gate)
        {
            if (_pendingLength + length > _maxBufferedBytes) { _dropped++; return; }
            if (_pendingLength + length > _pending.Length)
                Array.Resize(ref _pending, Math.Min(_maxBufferedBytes, Math.Max(_pending.Length * 2, _pendingLength + length)));
            path.CopyTo(_pending.AsSpan(_pendingLength));
            tail[..n].CopyTo(_pending.AsSpan(_pendingLength + path.Length));
            _pendingLength += length;
            _queued++;
        }
    }

    /// <summary>Queues one metric by string path (allocates the path's bytes; hot paths keep them as UTF-8).</summary>
    public void Enqueue(string path, double value, long epochSeconds) => Enqueue(Encoding.UTF8.GetBytes(path), value, epochSeconds);

    /// <summary>Queues a batch of metrics that share one timestamp.</summary>
    public void Enqueue(IEnumerable<KeyValuePair<string, double>> batch, long epochSeconds)
    {
        foreach (var (path, value) in batch) Enqueue(path, value, epochSeconds);
        Flush();
    }

    /// <summary>Wakes the sender now instead of at its next 250 ms tick.</summary>
    public void Flush()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    /// <summary>Waits until everything queued so far has been written to the socket, or the timeout passes; true if drained.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            Flush();
            lock (_gate) if (_pendingLength == 0 && _sendingLength == 0) return true;
            await Task.Delay(50);
        }
        return false;
    }

    private async Task SendLoopAsync()
    {
        var backoff = MinBackoff;
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            try { await _wake.WaitAsync(Tick, ct); }
            catch (OperationCanceledException) { break; }
            if (_sendingLength == 0)
            {
                lock (_gate)
                {
                    if (_pendingLength == 0) continue;
                    (_pending, _sending) = (_sending, _pending);
                    _sendingLength = _pendingLength;
                    _pendingLength = 0;
                }
            }
            if (await TrySendAsync(ct))
            {
                backoff = MinBackoff;
                continue;
            }
            // Keep the unsent buffer (carbon stores a repeated timestamp once) and wait before reconnecting.
            try { await Task.Delay(backoff, ct); }
            catch (OperationCanceledException) { break; }
            backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
        }
    }

    private async Task<bool> TrySendAsync(CancellationToken ct)
    {
        try
        {
            if (_socket is null)
            {
                var ep = Resolve();
                var s = new Socket(ep.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendTimeout = 5000 };
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                cts.CancelAfter(ConnectTimeout);
                try { await s.ConnectAsync(ep, cts.Token); }
                catch { s.Dispose(); throw; }
                _socket = s;
                Interlocked.Increment(ref _connects);
            }
            var offset = 0;
            while (offset < _sendingLength)
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                cts.CancelAfter(TimeSpan.FromSeconds(5));
                var n = await _socket.SendAsync(_sending.AsMemory(offset, _sendingLength - offset), SocketFlags.None, cts.Token);
                if (n <= 0) throw new SocketException((int)SocketError.ConnectionReset);
                offset += n;
                Interlocked.Add(ref _sent, n);
            }
            _sendingLength = 0;
            return true;
        }
        catch (Exception e) when (
            e is SocketException or OperationCanceledException or IOException or ObjectDisposedException or InputException)
        {
            if (ct.IsCancellationRequested) return false;
            Interlocked.Increment(ref _failures);
            lock (_gate) _lastError = e is OperationCanceledException ? "timed out" : e.Message;
            _socket?.Dispose();
            _socket = null;
            return false;
        }
    }

    private IPEndPoint Resolve() => _endpoint.Resolve("graphite");

    /// <summary>Sends what is queued (for up to 2 s), then closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await DrainAsync(TimeSpan.FromSeconds(2));
        _stop.Cancel();
        try { await _loop.WaitAsync(TimeSpan.FromSeconds(5)); }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException) { }
        _socket?.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }
}
