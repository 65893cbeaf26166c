using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using ConnBurst.Transport;

using ConnBurst.Interop;

namespace ConnBurst.Tls.OpenSsl;

/// <summary>
/// A client connection whose TLS is libssl's, working straight on the socket's file descriptor (no BIO pair, no copies).
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
    private readonly OpenSslClientContext _context;
    private readonly string _sessionKey;
    private bool _sessionKept;
    private nint _ssl;
    /// <summary>Owns the SSL, so a connection that is leaked instead of disposed still frees it when collected.</summary>
    private SafeSslHandle? _owner;

    /// <summary>True when the handshake resumed a session (<c>--resume</c>) instead of a full key exchange.</summary>
    public bool? IsResumed { get; private set; }

    private enum Op { Handshake, Read, Write }
    private enum Wait { None, Readable, Writable }

    public OpenSslClientConnection(OpenSslClientContext context, Socket socket, OpenSslCredential? credential, string? targetHost)
    {
        _socket = socket;
        _context = context;
        _sessionKey = targetHost ?? "";
        _sessionKept = !context.Tls.AllowResume;
        _ssl = LibSsl.New(context.Handle);
        if (_ssl == 0) throw new InvalidOperationException("SSL_new failed: " + LibCrypto.DrainErrors());
        _owner = new SafeSslHandle(_ssl);
        try
        {
            if (LibSsl.SetFd(_ssl, (int)socket.SafeHandle.DangerousGetHandle()) != 1)
                throw new InvalidOperationException("SSL_set_fd failed: " + LibCrypto.DrainErrors());
            credential?.ApplyTo(_ssl);
            if (!string.IsNullOrEmpty(targetHost) && !context.Insecure) SetPeerName(targetHost);
            if (context.Tls.AllowResume) context.OfferSession(_ssl, _sessionKey);
            LibSsl.SetConnectState(_ssl);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>SNI for a DNS name (as SslStream sends it), and the name or IP the server's certificate must carry.</summary>
    private void SetPeerName(string host)
    {
        if (IPAddress.TryParse(host, out _))
        {
            if (LibCrypto.ParamSet1IpAsc(LibSsl.Get0Param(_ssl), host) != 1) throw new InvalidOperationException($"cannot expect IP {host}: {LibCrypto.DrainErrors()}");
            return;
        }
        var name = Marshal.StringToCoTaskMemUTF8(host);
        try
        {
            LibSsl.Ctrl(_ssl, LibSsl.CtrlSetTlsextHostname, 0 /* TLSEXT_NAMETYPE_host_name */, name);
        }
        finally
        {
            Marshal.FreeCoTaskMem(name);
        }
        if (LibSsl.Set1Host(_ssl, host) != 1) throw new InvalidOperationException($"cannot expect host {host}: {LibCrypto.DrainErrors()}");
    }

    public async ValueTask HandshakeAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Step(Op.Handshake, default, out var wait);
            if (wait == Wait.None) return;
            await WaitAsync(wait).ConfigureAwait(false);
        }
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer)
    {
        while (true)
        {
            if (buffer.IsEmpty)
            {
                if (Pending()) return 0;
                await WaitAsync(Wait.Readable).ConfigureAwait(false);
                return 0;
            }
            var n = Step(Op.Read, buffer.Span, out var wait);
            if (wait == Wait.None) return n; // bytes, or 0 at end of stream
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
            if (wait != Wait.None) await Task.Delay(1).ConfigureAwait(false);
            else bytes = bytes[n..];
        }
    }

    /// <summary>One non-blocking libssl call: its result, or what it waits for. Failures throw <see cref="OpenSslTlsException"/>.</summary>
    private unsafe int Step(Op op, Span<byte> data, out Wait wait)
    {
        wait = Wait.None;
        var added = false;
        lock (_gate)
        {
            if (_ssl == 0)
            {
                // Closed under a pending read (linger over, run ending, heartbeat abort): that read is at end of stream.
                if (op == Op.Read) return 0;
                throw new ObjectDisposedException(nameof(OpenSslClientConnection));
            }
            // Keeps the descriptor from being closed and reused under libssl by a Dispose on another thread.
            _socket.SafeHandle.DangerousAddRef(ref added);
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
                var errno = Marshal.GetLastPInvokeError();
                if (result > 0)
                {
                    if (op == Op.Handshake) IsResumed = LibSsl.SessionReused(_ssl) == 1;
                    // A TLS 1.2 session is resumable when the handshake ends; a TLS 1.3 one once the server's ticket
                    // has been read, which happens on the way to the first application data.
                    if (!_sessionKept && op != Op.Write) _sessionKept = _context.RememberSession(_ssl, _sessionKey);
                    return result;
                }
                var error = LibSsl.GetError(_ssl, result);
                switch (error)
                {
                    case LibSsl.ErrorWantRead:
                        wait = Wait.Readable;
                        return 0;
                    case LibSsl.ErrorWantWrite:
                        wait = Wait.Writable;
                        return 0;
                    case LibSsl.ErrorZeroReturn when op == Op.Read:
                        return 0;
                    default:
                        throw OpenSslTlsException.From(error, errno, _ssl, LibCrypto.DrainErrors());
                }
            }
            finally
            {
                if (added) _socket.SafeHandle.DangerousRelease();
            }
        }
    }

    private bool Pending()
    {
        lock (_gate) return _ssl != 0 && LibSsl.HasPending(_ssl) == 1;
    }

    private ValueTask WaitAsync(Wait wait) => wait == Wait.Readable
        ? WaitReadableAsync()
        // A full send buffer on a benchmark's small packets is rare enough that a short sleep beats a second wait path.
        : new ValueTask(Task.Delay(1));

    /// <summary>Completes when data, end of stream or an error is there, taking nothing; never throws.</summary>
    private async ValueTask WaitReadableAsync() => await _readable.ReceiveAsync(_socket, Memory<byte>.Empty).ConfigureAwait(false);

    public void Dispose()
    {
        lock (_gate)
        {
            // Marked as shut down (nothing is sent): freeing an SSL that was not would take its session out of
            // libssl's cache and mark it not resumable, which --resume must not lose.
            if (_ssl != 0 && _context.Tls.AllowResume) LibSsl.SetShutdown(_ssl, LibSsl.SentShutdown | LibSsl.ReceivedShutdown);
            _owner?.Dispose();
            _owner = null;
            _ssl = 0;
        }
        _socket.Dispose();
        _readable.Dispose();
    }
}
