using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using ConnBurst.Transport;

using ConnBurst.Interop;

namespace ConnBurst.Tls.OpenSsl;

/// <summary>
/// A server connection whose TLS is libssl's, on the accepted socket's file descriptor. As on the client side
/// (<see cref="OpenSslClientConnection"/>), waiting is a zero-byte receive (here through one reused
/// <see cref="SocketOperation"/>, so a reset is a value, not an exception), libssl's non-blocking calls are serialised
/// by a per-connection lock (the read loop and a fan-out write may meet), and each holds a reference on the socket
/// handle so a heartbeat abort on another thread cannot close a descriptor libssl is using. Unlike the client, a failed
/// handshake is an outcome, never an exception: refusals are the server's hot path under a hostile load.
/// </summary>
internal sealed class OpenSslServerConnection : ITlsServerConnection
{
    private const ulong ReasonMask = 0x7FFFFF;            // ERR_GET_REASON in OpenSSL 3
    private const ulong PeerDidNotReturnACertificate = 199; // SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE

    private readonly OpenSslServerContext _context;
    private readonly Socket _socket;
    private readonly SocketOperation _readable = new();
    private readonly Lock _gate = new();
    private nint _ssl;
    /// <summary>Owns the SSL, so a connection that is leaked instead of disposed still frees it when collected.</summary>
    private SafeSslHandle? _owner;

    private enum Op { Handshake, Read, Write }

    /// <summary>What one libssl call came to.</summary>
    private enum Status { Done, WantRead, WantWrite, Closed, Failed }

    public OpenSslServerConnection(OpenSslServerContext context, Socket socket)
    {
        _context = context;
        _socket = socket;
        _ssl = LibSsl.New(context.Handle);
        if (_ssl == 0) throw new InvalidOperationException("SSL_new failed: " + LibCrypto.DrainErrors());
        _owner = new SafeSslHandle(_ssl);
        if (LibSsl.SetFd(_ssl, (int)socket.SafeHandle.DangerousGetHandle()) != 1)
        {
            var error = LibCrypto.DrainErrors();
            _owner?.Dispose();
            _ssl = 0;
            throw new InvalidOperationException("SSL_set_fd failed: " + error);
        }
        LibSsl.SetAcceptState(_ssl);
    }

    public PeerRefusal Refusal { get; private set; }

    public SslProtocols Protocol
    {
        get
        {
            lock (_gate)
            {
                return _ssl == 0 ? SslProtocols.None : LibSsl.Version(_ssl) switch
                {
                    (int)LibSsl.Tls13Version => SslProtocols.Tls13,
                    (int)LibSsl.Tls12Version => SslProtocols.Tls12,
                    _ => SslProtocols.None,
                };
            }
        }
    }

    public async ValueTask<ServerHandshakeOutcome> HandshakeAsync()
    {
        // Nothing to do before the ClientHello arrives; the first async wait also puts the descriptor in non-blocking
        // mode (.NET does so lazily), which every libssl call below relies on.
        await WaitReadableAsync().ConfigureAwait(false);
        while (true)
        {
            switch (Step(Op.Handshake, default, out _))
            {
                case Status.Done: return ResumedPeerIsRevoked() ? ServerHandshakeOutcome.Refused : ServerHandshakeOutcome.Ok;
                case Status.WantRead: await WaitReadableAsync().ConfigureAwait(false); break;
                case Status.WantWrite: await WaitWritableAsync().ConfigureAwait(false); break;
                case Status.Closed: return Refusal != PeerRefusal.None ? ServerHandshakeOutcome.Refused : ServerHandshakeOutcome.Closed;
                default: return Refusal != PeerRefusal.None ? ServerHandshakeOutcome.Refused : ServerHandshakeOutcome.TlsError;
            }
        }
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            if (!Pending()) await WaitReadableAsync().ConfigureAwait(false);
            return 0;
        }
        while (true)
        {
            switch (Step(Op.Read, buffer.Span, out var n))
            {
                case Status.Done: return n;
                case Status.WantRead: await WaitReadableAsync().ConfigureAwait(false); break;
                case Status.WantWrite: await WaitWritableAsync().ConfigureAwait(false); break;
                case Status.Closed: return 0; // close_notify, EOF or reset: the peer is gone either way
                default: throw new IOException("TLS read failed: " + LastError);
            }
        }
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        while (!bytes.IsEmpty)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (Step(Op.Write, MemoryMarshal.AsMemory(bytes).Span, out var n))
            {
                case Status.Done: bytes = bytes[n..]; break;
                // WantRead (a TLS 1.3 key update) too: the read loop may be waiting on the one readiness operation.
                case Status.WantRead or Status.WantWrite: await WaitWritableAsync().ConfigureAwait(false); break;
                case Status.Closed: throw new IOException("TLS write failed: the peer is gone");
                default: throw new IOException("TLS write failed: " + LastError);
            }
        }
    }

    /// <summary>OpenSSL's error text of the last failed call on this connection (kept only for the rare read/write failure).</summary>
    private string LastError { get; set; } = "";

    /// <summary>One non-blocking libssl call. Never throws: a closed socket is <see cref="Status.Closed"/>.</summary>
    private unsafe Status Step(Op op, Span<byte> data, out int count)
    {
        count = 0;
        var added = false;
        lock (_gate)
        {
            if (_ssl == 0) return Status.Closed;
            try
            {
                // Keeps the descriptor from being closed and reused under libssl by an abort on another thread.
                _socket.SafeHandle.DangerousAddRef(ref added);
            }
            catch (ObjectDisposedException)
            {
                return Status.Closed;
            }
            try
            {
                LibCrypto.ErrClearError(); // the error queue is per thread, and awaits move us between threads
                int result;
                fixed (byte* p = data)
                {
                    result = op switch
                    {
                        Op.Handshake => LibSsl.DoHandshake(_ssl),
                        Op.Read => LibSsl.Read(_ssl, p, data.Length),
                        _ => LibSsl.Write(_ssl, p, data.Length),
                    };
                }
                if (result > 0)
                {
                    if (op == Op.Handshake) OpenSslContextSettings.ReleaseBuffersWhenIdle(_ssl);
                    count = result;
                    return Status.Done;
                }
                var error = LibSsl.GetError(_ssl, result);
                switch (error)
                {
                    case LibSsl.ErrorWantRead: return Status.WantRead;
                    case LibSsl.ErrorWantWrite: return Status.WantWrite;
                    case LibSsl.ErrorZeroReturn or LibSsl.ErrorSyscall:
                        LibCrypto.ErrClearError();
                        return Status.Closed;
                }
                if (op == Op.Handshake) Refusal = RefusalOf(_ssl);
                else LastError = LibCrypto.DrainErrors();
                LibCrypto.ErrClearError();
                return Status.Failed;
            }
            finally
            {
                if (added) _socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>Why a failed handshake refused the peer: our verify callback's or OpenSSL's verdict, or no certificate at all.</summary>
    private static PeerRefusal RefusalOf(nint ssl)
    {
        var refusal = OpenSslVerifyErrors.ToRefusal(LibSsl.GetVerifyResult(ssl));
        if (refusal != PeerRefusal.None) return refusal;
        for (ulong code; (code = LibCrypto.ErrGetError()) != 0;)
            if ((code & ReasonMask) == PeerDidNotReturnACertificate) return PeerRefusal.NoCert;
        return PeerRefusal.None;
    }

    private bool ResumedPeerIsRevoked()
    {
        if (!_context.Tls.AllowResume) return false;
        lock (_gate)
        {
            if (_ssl == 0 || !_context.ResumedPeerIsRevoked(_ssl)) return false;
        }
        Refusal = PeerRefusal.Revoked;
        return true;
    }

    private bool Pending()
    {
        lock (_gate) return _ssl != 0 && LibSsl.HasPending(_ssl) == 1;
    }

    /// <summary>Completes when data, end of stream or an error is there, taking nothing; never throws.</summary>
    private async ValueTask WaitReadableAsync() => await _readable.ReceiveAsync(_socket, Memory<byte>.Empty).ConfigureAwait(false);

    // A full send buffer on a benchmark's small packets is rare enough that a short sleep beats a second wait path.
    private static Task WaitWritableAsync() => Task.Delay(1);

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _owner?.Dispose();
            _owner = null;
            _ssl = 0;
        }
        _socket.Dispose();
        _readable.Dispose();
        return ValueTask.CompletedTask;
    }
}
