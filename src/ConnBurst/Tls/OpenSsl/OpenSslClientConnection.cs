using System.Net.Sockets;
using System.Runtime.InteropServices;
using ConnBurst.Transport;

namespace ConnBurst.Tls.OpenSsl;

/// <summary>
/// A client connection whose TLS is libssl's (an <see cref="OpenSslClientSession"/>), working straight on the socket's
/// file descriptor (no BIO pair, no copies).
/// Waiting is .NET's: a zero-byte receive on the socket completes when the kernel has data, so no thread blocks and no
/// buffer is held while a connection idles. That receive is one reused <see cref="SocketOperation"/>, as on the server,
/// so the close that ends every held connection is a value, not an exception (a thrown and dispatched SocketException
/// per connect was about 2% of the generator's perf samples at 150 connects/s). libssl's calls never block (the socket
/// is non-blocking) and are serialised by a per-connection lock, since an SSL object is not safe for a read and a write
/// at once.
/// </summary>
internal sealed class OpenSslClientConnection : ITlsClientConnection
{
    private readonly Socket _socket;
    private readonly SocketOperation _readable = new();
    private readonly Lock _gate = new();
    private readonly OpenSslClientSession _session;

    /// <summary>True when the handshake resumed a session (<c>--resume</c>) instead of a full key exchange.</summary>
    public bool? IsResumed => _session.IsResumed;

    public bool IsTls13
    {
        get { lock (_gate) return _session.IsTls13; }
    }

    /// <summary>Application bytes <see cref="ConfirmAsync"/> read, handed out by the next reads.</summary>
    private byte[] _confirmed = [];
    private int _confirmedOffset;
    /// <summary>A readiness wait that <see cref="ConfirmAsync"/> gave up on: the next wait takes it over (one receive at a time).</summary>
    private Task? _readableWait;

    public async ValueTask<TlsConfirmation> ConfirmAsync(TimeSpan bound)
    {
        if (!IsTls13) return TlsConfirmation.Accepted;
        var deadline = DateTime.UtcNow + bound;
        var buffer = new byte[256];
        while (true)
        {
            int n;
            TlsWant wait;
            try
            {
                n = Step(Op.Read, buffer, out wait);
            }
            catch (OpenSslTlsException e)
            {
                return new TlsConfirmation(TlsVerdict.Refused, e);
            }
            if (n > 0)
            {
                _confirmed = buffer[..n];
                _confirmedOffset = 0;
                return TlsConfirmation.Accepted;
            }
            if (wait == TlsWant.None) return new TlsConfirmation(TlsVerdict.Refused); // a close_notify, nothing else
            lock (_gate)
                if (_session.TicketReceived) return TlsConfirmation.Accepted;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return TlsConfirmation.Unconfirmed;
            var ready = _readableWait ?? (wait == TlsWant.Read ? _readable.ReceiveAsync(_socket,
                Memory<byte>.Empty).AsTask() : Task.Delay(1));
            _readableWait = null;
            try
            {
                await ready.WaitAsync(left).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                if (wait == TlsWant.Read) _readableWait = ready; // still pending on the one receive: the next wait takes it over
                return TlsConfirmation.Unconfirmed;
            }
        }
    }

    private enum Op { Handshake, Read, Write }

    public OpenSslClientConnection(OpenSslClientContext context, Socket socket, OpenSslCredential? credential, string? targetHost)
    {
        _socket = socket;
        _session = new OpenSslClientSession(context, (int)socket.SafeHandle.DangerousGetHandle(), credential, targetHost);
    }

    public async ValueTask HandshakeAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Step(Op.Handshake, default, out var wait);
            if (wait == TlsWant.None) return;
            await WaitAsync(wait).ConfigureAwait(false);
        }
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer)
    {
        if (_confirmedOffset < _confirmed.Length)
        {
            if (buffer.IsEmpty) return 0;
            var n = Math.Min(buffer.Length, _confirmed.Length - _confirmedOffset);
            _confirmed.AsMemory(_confirmedOffset, n).CopyTo(buffer);
            _confirmedOffset += n;
            return n;
        }
        while (true)
        {
            if (buffer.IsEmpty)
            {
                if (Pending()) return 0;
                await WaitAsync(TlsWant.Read).ConfigureAwait(false);
                return 0;
            }
            var n = Step(Op.Read, buffer.Span, out var wait);
            if (wait == TlsWant.None) return n; // bytes, or 0 at end of stream
            await WaitAsync(wait).ConfigureAwait(false);
        }
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var n = Step(Op.Write, MemoryMarshal.AsMemory(bytes).Span, out var wait);
            // A write that must wait (a full send buffer, or a renegotiation wanting to read) is rare on a benchmark's
            // small packets. It waits on a timer, never on the one reusable receive: a held connection's reader may
            // have that pending (keepalive and DISCONNECT writes run beside it).
            if (wait != TlsWant.None) await Task.Delay(1).ConfigureAwait(false);
            else bytes = bytes[n..];
        }
    }

    public ValueTask CloseNotifyAsync()
    {
        var added = false;
        lock (_gate)
        {
            if (!_session.IsOpen) return default;
            // As in Step: the descriptor must outlive the call.
            _socket.SafeHandle.DangerousAddRef(ref added);
            try
            {
                _session.CloseNotify();
            }
            finally
            {
                if (added) _socket.SafeHandle.DangerousRelease();
            }
        }
        return default;
    }

    /// <summary>One non-blocking libssl call: its result, or what it waits for. Failures throw <see cref="OpenSslTlsException"/>.</summary>
    private int Step(Op op, Span<byte> data, out TlsWant wait)
    {
        var added = false;
        lock (_gate)
        {
            if (!_session.IsOpen)
            {
                wait = TlsWant.None;
                // Closed under a pending read (linger over, run ending, heartbeat abort): that read is at end of stream.
                if (op == Op.Read) return 0;
                throw new ObjectDisposedException(nameof(OpenSslClientConnection));
            }
            // Keeps the descriptor from being closed and reused under libssl by a Dispose on another thread.
            _socket.SafeHandle.DangerousAddRef(ref added);
            try
            {
                OpenSslTlsException? failure;
                var n = op switch
                {
                    Op.Handshake => Handshake(out wait, out failure),
                    Op.Read => _session.Read(data, out wait, out failure),
                    _ => _session.Write(data, out wait, out failure),
                };
                if (failure is not null) throw failure;
                return n;
            }
            finally
            {
                if (added) _socket.SafeHandle.DangerousRelease();
            }
        }
    }

    private int Handshake(out TlsWant wait, out OpenSslTlsException? failure)
    {
        wait = _session.Handshake(out failure);
        return 0;
    }

    private bool Pending()
    {
        lock (_gate) return _session.HasPending;
    }

    private ValueTask WaitAsync(TlsWant wait) => wait == TlsWant.Read
        ? WaitReadableAsync()
        // A full send buffer on a benchmark's small packets is rare enough that a short sleep beats a second wait path.
        : new ValueTask(Task.Delay(1));

    /// <summary>Completes when data, end of stream or an error is there, taking nothing; never throws.</summary>
    private async ValueTask WaitReadableAsync()
    {
        if (_readableWait is { } pending)
        {
            _readableWait = null;
            await pending.ConfigureAwait(false);
            return;
        }
        await _readable.ReceiveAsync(_socket, Memory<byte>.Empty).ConfigureAwait(false);
    }

    public void Dispose()
    {
        lock (_gate) _session.Dispose();
        _socket.Dispose();
        _readable.Dispose();
    }
}
