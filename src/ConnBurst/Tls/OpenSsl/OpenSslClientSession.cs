using System.Net;
using System.Runtime.InteropServices;

using ConnBurst.Interop;

namespace ConnBurst.Tls.OpenSsl;

/// <summary>What a non-blocking libssl call needs before it can go on.</summary>
internal enum TlsWant
{
    /// <summary>It finished (or failed: see the call's failure).</summary>
    None,
    /// <summary>The socket must become readable (the call read EAGAIN).</summary>
    Read,
    /// <summary>The socket must become writable (the call wrote EAGAIN).</summary>
    Write,
}

/// <summary>
/// One client SSL object over a non-blocking socket descriptor, stepped by whoever owns that descriptor: each call
/// runs libssl until it would block and says what it waits for, failures as values (an <see cref="OpenSslTlsException"/>
/// built, not thrown). Not thread-safe: <see cref="OpenSslClientConnection"/> serialises it for .NET's async waits;
/// the generator's event loop owns its sessions on one thread. It does not own the descriptor.
/// </summary>
internal sealed unsafe class OpenSslClientSession : IDisposable
{
    private readonly OpenSslClientContext _context;
    private readonly SessionKey _sessionKey;
    private bool _sessionKept;
    private nint _ssl;
    /// <summary>Owns the SSL, so a session that is leaked instead of disposed still frees it when collected.</summary>
    private SafeSslHandle? _owner;

    /// <summary>True when the handshake resumed a session (<c>--resume</c>) instead of a full key exchange.</summary>
    public bool? IsResumed { get; private set; }

    public bool IsOpen => _ssl != 0;

    /// <summary>After the handshake: whether it negotiated TLS 1.3 (whose server judges our certificate after our handshake
    /// ends).</summary>
    public bool IsTls13 => _ssl != 0 && LibSsl.Version(_ssl) == Tls13Version;

    private const int Tls13Version = 0x0304;

    /// <summary>
    /// True once a TLS 1.3 server sent a session ticket, read by a <see cref="Read"/> that found no data after it: the
    /// server sends tickets only once it has accepted the client (its Finished, certificate and all), so a ticket confirms
    /// the handshake (docs/DECISIONS.md, "Load: TLS 1.3 handshakes confirmed by the server").
    /// </summary>
    public bool TicketReceived => _ssl != 0 && LibSsl.GetSession(_ssl) is var s and not 0 && LibSsl.SessionIsResumable(s) == 1;

    public OpenSslClientSession(OpenSslClientContext context, int fd, OpenSslCredential? credential, string? targetHost)
    {
        _context = context;
        _sessionKey = new SessionKey((targetHost ?? "").ToLowerInvariant(), credential);
        _sessionKept = !context.Tls.AllowResume;
        _ssl = LibSsl.New(context.Handle);
        if (_ssl == 0) throw new InvalidOperationException("SSL_new failed: " + LibCrypto.DrainErrors());
        _owner = new SafeSslHandle(_ssl);
        try
        {
            if (LibSsl.SetFd(_ssl, fd) != 1) throw new InvalidOperationException("SSL_set_fd failed: " + LibCrypto.DrainErrors());
            credential?.ApplyTo(_ssl);
            if (!string.IsNullOrEmpty(targetHost) && !context.Insecure) SetPeerName(targetHost);
            context.Chains?.Expect(_ssl, context.Insecure ? null : targetHost);
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
            if (LibCrypto.ParamSet1IpAsc(LibSsl.Get0Param(_ssl), host) != 1)
                throw new InvalidOperationException($"cannot expect IP {host}: {LibCrypto.DrainErrors()}");
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

    /// <summary>Runs the handshake as far as it goes without blocking.</summary>
    public TlsWant Handshake(out OpenSslTlsException? failure)
    {
        Step(Op.Handshake, default, out var want, out failure);
        return want;
    }

    /// <summary>Reads application bytes: how many (0 with <see cref="TlsWant.None"/> and no failure: end of stream).</summary>
    public int Read(Span<byte> buffer, out TlsWant want, out OpenSslTlsException? failure) => Step(Op.Read, buffer, out want, out failure);

    /// <summary>Writes application bytes: how many were taken (a retry after a want must pass the same bytes).</summary>
    public int Write(ReadOnlySpan<byte> bytes, out TlsWant want, out OpenSslTlsException? failure) =>
        Step(Op.Write, MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(bytes), bytes.Length), out want, out failure);

    /// <summary>
    /// Frees what the handshake left that a held connection never reads again (docs/DECISIONS.md, "Tls: a held native client frees what
    /// its handshake left"): the CA names the
    /// server listed in its CertificateRequest, and our verified copy of the server's chain. libssl keeps both until
    /// SSL_free and has no call to drop them, so the stacks it owns are emptied in place (each entry freed once; the
    /// empty stacks are freed with the SSL). On a TLS 1.2 connection without resumption
    /// (<see cref="OpenSslClientContext.CanDropSession"/>) the session itself goes too, swapped for an empty one: it
    /// holds the server's decoded certificate and public key (about 400 small allocations, 6-7 KB a connection by
    /// heaptrack), and after the handshake TLS 1.2's record layer reads nothing from it but the optional max fragment
    /// length, which an empty session leaves at the default.
    /// </summary>
    public void ReleaseHandshakeState()
    {
        if (_ssl == 0) return;
        if (_context.CanDropSession)
        {
            var empty = LibSsl.SessionNew();
            if (empty != 0)
            {
                LibSsl.SetSession(_ssl, empty); // takes its own reference, frees the handshake's session
                LibSsl.SessionFree(empty);
            }
        }
        var names = LibSsl.Get0PeerCaList(_ssl);
        if (names != 0)
            for (nint name; (name = LibCrypto.StackPop(names)) != 0;) LibCrypto.X509NameFree(name);
        var chain = LibSsl.Get0VerifiedChain(_ssl);
        if (chain != 0)
            for (nint x509; (x509 = LibCrypto.StackPop(chain)) != 0;) LibCrypto.X509Free(x509);
        LibSsl.FreeBuffers(_ssl); // the last read may have left them (read-ahead); refused, harmlessly, while they hold bytes
    }

    /// <summary>
    /// Sends a close_notify alert (one SSL_shutdown), without waiting for the server's: the connection is closed next
    /// either way. Its result is ignored, since a socket that cannot take the alert now is closed just the same; the error
    /// queue it may leave is cleared, as every call here does before it starts.
    /// </summary>
    public void CloseNotify()
    {
        if (_ssl == 0) return;
        LibCrypto.ErrClearError();
        LibSsl.Shutdown(_ssl);
        LibCrypto.ErrClearError();
    }

    /// <summary>Decrypted bytes already buffered inside libssl (a read would not wait for the socket).</summary>
    public bool HasPending => _ssl != 0 && LibSsl.HasPending(_ssl) == 1;

    private enum Op { Handshake, Read, Write }

    private int Step(Op op, Span<byte> data, out TlsWant want, out OpenSslTlsException? failure)
    {
        want = TlsWant.None;
        failure = null;
        if (_ssl == 0)
        {
            // Closed under a pending read (linger over, run ending, heartbeat abort): that read is at end of stream.
            if (op == Op.Read) return 0;
            throw new ObjectDisposedException(nameof(OpenSslClientSession));
        }
        LibCrypto.ErrClearError(); // the error queue is per thread, and a session may move between threads
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
            if (op == Op.Handshake)
            {
                IsResumed = LibSsl.SessionReused(_ssl) == 1;
                OpenSslContextSettings.ReleaseBuffersWhenIdle(_ssl);
            }
            // A TLS 1.2 session is resumable when the handshake ends; a TLS 1.3 one once the server's ticket has
            // been read, which happens on the way to the first application data.
            if (!_sessionKept && op != Op.Write) _sessionKept = _context.RememberSession(_ssl, _sessionKey);
            return result;
        }
        switch (LibSsl.GetError(_ssl, result))
        {
            case LibSsl.ErrorWantRead:
                want = TlsWant.Read;
                return 0;
            case LibSsl.ErrorWantWrite:
                want = TlsWant.Write;
                return 0;
            case LibSsl.ErrorZeroReturn when op == Op.Read:
                return 0;
            case var error:
                failure = OpenSslTlsException.From(error, errno, _ssl, LibCrypto.DrainErrors());
                return 0;
        }
    }

    public void Dispose()
    {
        // Marked as shut down (nothing is sent): freeing an SSL that was not would take its session out of libssl's
        // cache and mark it not resumable, which --resume must not lose.
        if (_ssl != 0 && _context.Tls.AllowResume) LibSsl.SetShutdown(_ssl, LibSsl.SentShutdown | LibSsl.ReceivedShutdown);
        _owner?.Dispose();
        _owner = null;
        _ssl = 0;
    }
}
