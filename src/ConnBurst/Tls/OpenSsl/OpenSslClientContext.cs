using System.Security.Cryptography.X509Certificates;
using ConnBurst.Common;

using ConnBurst.Interop;

namespace ConnBurst.Tls.OpenSsl;

/// <summary>
/// One <c>SSL_CTX</c> for every client connection of a run: protocol bounds, ciphers, the trust store holding the
/// benchmark CA (parsed once), no session cache, read-ahead, and record buffers released once a connection is established. SslStream
/// creates and frees an <c>SSL_CTX</c> per connection whenever a client certificate is set (.NET 10's
/// <c>AllocateSslHandle</c> disables its context cache then); this is the cost the native engine removes. Client
/// certificates are per connection (<see cref="OpenSslCredential"/>), so one context serves per-client identities too.
/// </summary>
internal sealed class OpenSslClientContext : IDisposable
{
    private nint _ctx;
    private static int _live;

    /// <summary>Contexts built in this process and not yet disposed: a count that grows from run to run is a leak.</summary>
    internal static int Live => Volatile.Read(ref _live);
    /// <summary>Owns the SSL_CTX, so a context that is never disposed still frees it when collected.</summary>
    private readonly SafeSslContextHandle _owner;

    public TlsOptions Tls { get; }
    public bool Insecure { get; }

    /// <summary>The server chains this context verified in full, which identical chains need not repeat; null when insecure.</summary>
    internal VerifiedServerChains? Chains { get; private set; }

    /// <summary>
    /// True when a connection may swap its session for an empty one once connected: TLS 1.2 only (no tickets or key
    /// updates that read the session later) and no resumption (nothing to keep). With the version-flexible method
    /// libssl would reset the connection's method on that swap.
    /// </summary>
    internal bool CanDropSession { get; }

    internal nint Handle => _ctx != 0 ? _ctx : throw new ObjectDisposedException(nameof(OpenSslClientContext));

    /// <param name="trustRoots">The CA(s) the server must chain to; ignored when <paramref name="insecure"/>.</param>
    public OpenSslClientContext(TlsOptions tls, X509Certificate2Collection? trustRoots, bool insecure = false)
    {
        if (trustRoots is null && !insecure) throw new ArgumentException("trust roots are required unless insecure", nameof(trustRoots));
        Tls = tls;
        Insecure = insecure;
        // TLS 1.2 without resumption: the fixed-version method, the same ClientHello on the wire, so a held connection
        // may drop its session after the handshake (OpenSslClientSession.ReleaseHandshakeState).
        CanDropSession = tls.Protocol == TlsProtocol.Tls12 && !tls.AllowResume;
        _ctx = LibSsl.CtxNew(CanDropSession ? LibSsl.Tls12ClientMethod() : LibSsl.TlsClientMethod());
        if (_ctx == 0) throw new InvalidOperationException("SSL_CTX_new failed: " + LibCrypto.DrainErrors());
        _owner = new SafeSslContextHandle(_ctx);
        Interlocked.Increment(ref _live);
        try
        {
            Configure(tls, trustRoots, insecure);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void Configure(TlsOptions tls, X509Certificate2Collection? trustRoots, bool insecure)
    {
        OpenSslContextSettings.Apply(_ctx, tls);
        if (tls.Alpn.Count > 0)
        {
            var wire = tls.AlpnWire();
            if (LibSsl.CtxSetAlpnProtos(_ctx, wire, (uint)wire.Length) != 0)
                throw new InputException($"--alpn {string.Join(',', tls.Alpn)}: libssl refused it: {LibCrypto.DrainErrors()}");
        }

        if (insecure)
        {
            LibSsl.CtxSetVerify(_ctx, LibSsl.VerifyNone, 0);
            return;
        }
        var store = LibSsl.CtxGetCertStore(_ctx);
        foreach (var root in trustRoots!)
        {
            var x509 = OpenSslCredential.ParseCertificate(root);
            try
            {
                if (LibCrypto.StoreAddCert(store, x509) != 1)
                    throw new InputException($"cannot add {root.Subject} to the trust store: {LibCrypto.DrainErrors()}");
            }
            finally
            {
                LibCrypto.X509Free(x509); // the store holds its own reference
            }
        }
        LibSsl.CtxSetVerify(_ctx, LibSsl.VerifyPeer, 0);
        Chains = new VerifiedServerChains();
        Chains.Install(_ctx);
    }

    // --resume: the newest resumable session per server name and client credential, offered to the next connection of
    // the same identity (libssl's client side keeps no cache of its own). A session carries the certificate the server
    // verified when it began: offered by a client with another credential, the server would accept that client on the
    // first one's certificate. The lock covers use as well as replacement, so a session is never freed while offered.
    private readonly Lock _sessionGate = new();
    private readonly Dictionary<SessionKey, nint> _sessions = new();

    internal void OfferSession(nint ssl, SessionKey key)
    {
        lock (_sessionGate)
            if (_sessions.TryGetValue(key, out var session)) LibSsl.SetSession(ssl, session);
    }

    /// <summary>Keeps the connection's session for the next connect when it can be resumed (in TLS 1.3: once its ticket arrived).</summary>
    internal bool RememberSession(nint ssl, SessionKey key)
    {
        var session = LibSsl.Get1Session(ssl);
        if (session == 0) return false;
        if (LibSsl.SessionIsResumable(session) != 1)
        {
            LibSsl.SessionFree(session);
            return false;
        }
        lock (_sessionGate)
        {
            if (_sessions.TryGetValue(key, out var old)) LibSsl.SessionFree(old);
            _sessions[key] = session;
        }
        return true;
    }

    public void Dispose()
    {
        lock (_sessionGate)
        {
            foreach (var session in _sessions.Values) LibSsl.SessionFree(session);
            _sessions.Clear();
        }
        if (Interlocked.Exchange(ref _ctx, 0) != 0) Interlocked.Decrement(ref _live);
        _owner.Dispose(); // connections hold their own reference (SSL_new up-refs the context)
        Chains?.Dispose(); // and fall back to OpenSSL's full check
    }
}

/// <summary>Whose session a cached one is: the server name (lower-cased) and the client credential (by reference, null: none).</summary>
internal readonly record struct SessionKey(string Host, OpenSslCredential? Credential);
