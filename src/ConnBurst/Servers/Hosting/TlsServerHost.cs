using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using ConnBurst.Common;
using ConnBurst.Tls;

using ConnBurst.Transport;

namespace ConnBurst.Servers.Hosting;

/// <summary>
/// A TLS server that knows nothing of the protocol it carries: it accepts (optionally throttled), sets TCP_NODELAY, runs the
/// handshake on a <see cref="TlsServerFactory"/>'s engine (SslStream or libssl, <see cref="ITlsServerConnection"/>), counts failures by
/// reason, then feeds decrypted bytes to an
/// <see cref="IConnectionSession"/>. Idle connections wait in a zero-byte read holding no buffer; one <see cref="Heartbeat"/>
/// enforces every deadline. Used by <c>serve mqtt</c> and <c>serve chat</c>.
/// </summary>
internal sealed class TlsServerHost : IAsyncDisposable
{
    private readonly TlsServerHostOptions _options;
    private readonly TlsServerFactory _tls;
    private readonly SessionFactory _sessions;
    private readonly Action<string>? _log;
    private readonly ConcurrentDictionary<long, ServerConnection> _connections = new();
    private readonly ConcurrentDictionary<Task, bool> _handlers = new();
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private Task? _acceptLoop;
    private long _nextId;

    public TlsServerHost(TlsServerHostOptions options, TlsServerFactory tls, SessionFactory sessions, Action<string>? log = null)
    {
        _options = options.Validate();
        _tls = tls;
        _sessions = sessions;
        _log = log;
        Heartbeat = new Heartbeat(_connections, options.HeartbeatInterval, log);
        // Each handshake's freed libssl memory fragments glibc's per-thread arenas (Common/GlibcMalloc): few arenas,
        // and free pages handed back every few seconds, keep an idle connection's RSS down.
        GlibcMalloc.LimitArenas();
        long lastTrim = 0;
        Heartbeat.OnTick(now =>
        {
            if (now - lastTrim < 5_000) return;
            lastTrim = now;
            GlibcMalloc.Trim();
        });
    }

    public TransportCounters Counters { get; } = new();
    public Heartbeat Heartbeat { get; }

    /// <summary>Where it listens (the real port when the options said port 0).</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndPoint as IPEndPoint;

    public int ConnectionCount => _connections.Count;

    /// <summary>Binds, listens, starts the accept loop and the heartbeat. Throws InputException when the port cannot be had.</summary>
    public void Start()
    {
        _listener = ListenSockets.Listen(_options.EndPoint, _options.Backlog, _options.ReusePort);
        Heartbeat.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    private async Task AcceptLoopAsync()
    {
        var limiter = _options.MaxAcceptRate is { } rate ? new AcceptRateLimiter(rate) : null;
        var ct = _stopping.Token;
        long failedSinceLine = 0, lastLine = 0;
        while (!ct.IsCancellationRequested)
        {
            if (limiter is not null && limiter.NextDelay() is var wait && wait > TimeSpan.Zero)
            {
                try { await Task.Delay(wait, ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
            }
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { break; }
            catch (ObjectDisposedException) { break; }
            catch (SocketException e)
            {
                // EMFILE and friends: the connection waits in the backlog, and the ones held are served on. Counted each time,
                // said at most once a second (at the descriptor limit this retries 20 times a second).
                Counters.OnAcceptFailed();
                failedSinceLine++;
                if (Environment.TickCount64 - lastLine >= 1_000)
                {
                    lastLine = Environment.TickCount64;
                    _log?.Invoke($"accept failed {failedSinceLine} time(s): {e.Message} ({e.SocketErrorCode}); "
                        + $"{_connections.Count} connections open; held ones are still served");
                    failedSinceLine = 0;
                }
                try { await Task.Delay(50, ct).ConfigureAwait(false); } catch (OperationCanceledException) { break; }
                continue;
            }
            socket.NoDelay = true;
            Counters.OnAccepted();
            var id = Interlocked.Increment(ref _nextId);
            var connection = new ServerConnection(id, socket, Environment.TickCount64 + (long)_options.HandshakeTimeout.TotalMilliseconds);
            _connections[id] = connection;
            var handler = RunConnectionAsync(connection, socket);
            if (!handler.IsCompleted)
            {
                _handlers[handler] = true;
                _ = handler.ContinueWith(static (t, s) => ((ConcurrentDictionary<Task, bool>)s!).TryRemove(t, out _), _handlers,
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private async Task RunConnectionAsync(ServerConnection connection, Socket socket)
    {
        // Let the accept loop go on at once: the handshake's CPU runs on the pool.
        await Task.Yield();
        ITlsServerConnection tls;
        try
        {
            tls = _tls.NewConnection(socket);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The peer was gone before we got to it (reset while queued, or aborted by the heartbeat).
            Counters.OnHandshakeFailed(connection.IsAborted ? HandshakeFailure.Timeout : HandshakeFailure.Closed);
            _connections.TryRemove(connection.Id, out _);
            connection.Abort("closed");
            Counters.OnClosed();
            return;
        }
        var reason = ConnectionCloseReason.Error;
        try
        {
            if (!await HandshakeAsync(connection, tls).ConfigureAwait(false)) return;
            connection.Tls = tls;
            IConnectionSession session;
            try { session = _sessions(connection); }
            catch (Exception e)
            {
                _log?.Invoke($"session factory failed: {e.Message}");
                return;
            }
            connection.Session = session;
            reason = await ReadLoopAsync(connection, tls, session).ConfigureAwait(false);
            if (connection.IsAborted)
            {
                reason = connection.AbortReason switch
                {
                    "shutdown" => ConnectionCloseReason.Shutdown,
                    "write-failed" => ConnectionCloseReason.PeerClosed,
                    _ => ConnectionCloseReason.Timeout,
                };
            }
            try { session.OnClosed(reason); } catch (Exception e) { _log?.Invoke($"session close handler failed: {e.Message}"); }
        }
        finally
        {
            _connections.TryRemove(connection.Id, out _);
            connection.Output.Reset();
            connection.Abort("closed");
            try { await tls.DisposeAsync().ConfigureAwait(false); } catch (Exception) { /* the socket is gone already */ }
            Counters.OnClosed();
        }
    }

    private async Task<bool> HandshakeAsync(ServerConnection connection, ITlsServerConnection tls)
    {
        var outcome = await tls.HandshakeAsync().ConfigureAwait(false);
        if (outcome == ServerHandshakeOutcome.Ok)
        {
            connection.HandshakeDone();
            Counters.OnHandshakeOk();
            return true;
        }
        // The certificate verdict first, then how it ended.
        var failure = outcome == ServerHandshakeOutcome.Refused ? HandshakeFailures.From(tls.Refusal)
            : connection.IsAborted ? HandshakeFailure.Timeout
            : outcome == ServerHandshakeOutcome.TlsError ? HandshakeFailure.TlsError
            : HandshakeFailure.Closed;
        Counters.OnHandshakeFailed(failure);
        return false;
    }

    private async Task<ConnectionCloseReason> ReadLoopAsync(ServerConnection connection, ITlsServerConnection stream,
        IConnectionSession session)
    {
        byte[]? buffer = null;
        int filled = 0;
        try
        {
            while (true)
            {
                if (filled == 0)
                {
                    // Idle: wait for data holding no buffer (both engines pass a zero-byte read through when nothing is decrypted).
                    await stream.ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
                    buffer ??= ArrayPool<byte>.Shared.Rent(_options.ReadBufferSize);
                }
                else if (filled == buffer!.Length)
                {
                    if (buffer.Length >= _options.MaxBufferedBytes) return ConnectionCloseReason.Error;
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _options.MaxBufferedBytes));
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var n = await stream.ReadAsync(buffer.AsMemory(filled)).ConfigureAwait(false);
                if (n == 0) return ConnectionCloseReason.PeerClosed;
                filled += n;
                var used = session.Consume(buffer.AsSpan(0, filled));
                if (used > 0)
                {
                    buffer.AsSpan(used, filled - used).CopyTo(buffer);
                    filled -= used;
                }
                if (!await connection.FlushOutputAsync().ConfigureAwait(false)) return ConnectionCloseReason.PeerClosed;
                if (connection.CloseRequested) return ConnectionCloseReason.SessionClosed;
                if (filled == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or AuthenticationException)
        {
            return ConnectionCloseReason.PeerClosed;
        }
        catch (Exception e)
        {
            // A session bug must cost one connection, never the server.
            _log?.Invoke($"connection {connection.Id}: session failed: {e.GetType().Name}: {e.Message}");
            return ConnectionCloseReason.Error;
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Stops accepting, aborts every connection, and waits (bounded) for their handlers to finish.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        _listener?.Dispose();
        if (_acceptLoop is not null) await _acceptLoop.WaitAsync(timeout).ConfigureAwait(false);
        foreach (var (_, c) in _connections) c.Abort("shutdown");
        try { await Task.WhenAll(_handlers.Keys).WaitAsync(timeout).ConfigureAwait(false); }
        catch (TimeoutException) { _log?.Invoke($"{_handlers.Count} connections still closing after {timeout.TotalSeconds:0} s"); }
        Heartbeat.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
