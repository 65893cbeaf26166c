using System.Net;
using System.Net.Sockets;
using ConnBurst.Tls;

using ConnBurst.Transport;

namespace ConnBurst.Servers.Hosting;

/// <summary>
/// One accepted connection as its session sees it: where it came from, the output buffer replies go into, and the ways to
/// end it. Owns no timer and no task of its own: deadlines are fields the one heartbeat compares.
/// </summary>
internal sealed class ServerConnection
{
    private readonly Socket _socket;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private int _aborted;
    private long _handshakeDeadlineMs;

    internal ServerConnection(long id, Socket socket, long handshakeDeadlineMs)
    {
        Id = id;
        _socket = socket;
        RemoteEndPoint = socket.RemoteEndPoint as IPEndPoint;
        _handshakeDeadlineMs = handshakeDeadlineMs;
    }

    public long Id { get; }
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>The connection's TLS, once the handshake succeeded, whichever engine runs it.</summary>
    public ITlsServerConnection? Tls { get; internal set; }

    /// <summary>Replies written during <see cref="IConnectionSession.Consume"/>; the transport flushes them when it returns.</summary>
    public PooledOutput Output { get; } = new();

    internal IConnectionSession? Session { get; set; }
    internal bool CloseRequested { get; private set; }
    internal string? AbortReason { get; private set; }
    internal bool IsAborted => Volatile.Read(ref _aborted) != 0;

    /// <summary>Ends the connection once the pending output has been flushed (e.g. after a DISCONNECT or refusing CONNACK).</summary>
    public void CloseAfterFlush() => CloseRequested = true;

    /// <summary>
    /// Sends bytes from any thread (a chat fan-out, say), serialised with the read loop's own flushes.
    /// Returns false when the connection is gone. Failures are data, not exceptions.
    /// </summary>
    public async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        var tls = Tls;
        if (tls is null || IsAborted) return false;
        try
        {
            await _writeLock.WaitAsync(ct).ConfigureAwait(false);
            try { await tls.WriteAsync(data, ct).ConfigureAwait(false); }
            finally { _writeLock.Release(); }
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            Abort("write-failed");
            return false;
        }
    }

    /// <summary>Flushes <see cref="Output"/> under the write lock and returns its buffer to the pool.</summary>
    internal async ValueTask<bool> FlushOutputAsync()
    {
        if (Output.WrittenCount == 0) return true;
        try
        {
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try { await Tls!.WriteAsync(Output.WrittenMemory).ConfigureAwait(false); }
            finally { _writeLock.Release(); }
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            Output.Reset();
        }
    }

    /// <summary>Closes the socket now, from any thread; the read loop (or handshake) then fails and cleans up. Idempotent: true only
    /// for the call that closed it.</summary>
    public bool Abort(string reason)
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0) return false;
        AbortReason = reason;
        // Shutdown first: the peer sees an orderly FIN (when nothing is unread) and pending reads wake at once.
        try { _socket.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        try { _socket.Dispose(); } catch (ObjectDisposedException) { }
        return true;
    }

    /// <summary>Heartbeat check: the handshake deadline (0 once the handshake is over), then the session's own deadlines.</summary>
    internal string? CheckTimeout(long nowMs)
    {
        var deadline = Volatile.Read(ref _handshakeDeadlineMs);
        if (deadline != 0 && nowMs > deadline) return "handshake-timeout";
        return Session?.CheckTimeout(nowMs);
    }

    internal void HandshakeDone() => Volatile.Write(ref _handshakeDeadlineMs, 0);
}
