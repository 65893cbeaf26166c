using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using ConnBurst.Common;

using ConnBurst.Interop;

namespace ConnBurst.Tls.OpenSsl;

/// <summary>
/// One server <c>SSL_CTX</c> for every connection of a server (docs/DECISIONS.md "Tls: a libssl server engine"): the
/// server certificate, key and chain loaded once, the benchmark CA as both the client-certificate trust store and the CA
/// list sent in CertificateRequest, protocol bounds and ciphers from <see cref="TlsOptions"/>, record buffers released
/// when idle, no session cache or tickets unless resumption is allowed. Revocation is ours, not OpenSSL's CRL lookup: a
/// verify callback looks the leaf's serial up in the current <see cref="CrlSet"/> (which the heartbeat reloads) and
/// fails with X509_V_ERR_CERT_REVOKED, so the client gets a certificate_revoked alert.
/// </summary>
internal sealed unsafe class OpenSslServerContext : IDisposable
{
    private static readonly int SslIndexInStoreContext = LibSsl.GetExDataX509StoreCtxIdx();
    private const int AppDataIndex = 0; // SSL_CTX_set_app_data
    private nint _ctx;
    /// <summary>Owns the SSL_CTX, so a context that is never disposed still frees it when collected.</summary>
    private readonly SafeSslContextHandle _owner;
    private GCHandle _self;

    public TlsOptions Tls { get; }
    public ClientCertMode ClientCerts { get; }
    public CrlSet? Crl { get; }

    internal nint Handle => _ctx != 0 ? _ctx : throw new ObjectDisposedException(nameof(OpenSslServerContext));

    /// <param name="clientIntermediates">Intermediates a client chain may need (when the CA is not the issuer).</param>
    public OpenSslServerContext(TlsOptions tls, CertificateWithChain server, X509Certificate2Collection trustRoots,
        ClientCertMode clientCerts, CrlSet? crl, X509Certificate2Collection? clientIntermediates = null)
    {
        Tls = tls;
        ClientCerts = clientCerts;
        Crl = crl;
        _ctx = LibSsl.CtxNew(LibSsl.TlsServerMethod());
        if (_ctx == 0) throw new InvalidOperationException("SSL_CTX_new failed: " + LibCrypto.DrainErrors());
        _owner = new SafeSslContextHandle(_ctx);
        try
        {
            Configure(tls, server, trustRoots, clientIntermediates);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void Configure(TlsOptions tls, CertificateWithChain server, X509Certificate2Collection trustRoots,
        X509Certificate2Collection? intermediates)
    {
        OpenSslContextSettings.Apply(_ctx, tls);
        if (!tls.AllowResume) LibSsl.CtxSetNumTickets(_ctx, 0); // TLS 1.3 sends (stateful) tickets even with SSL_OP_NO_TICKET
        // Resumption with client certificates needs a session id context; harmless when the cache is off.
        var id = "connburst"u8;
        fixed (byte* p = id) LibSsl.CtxSetSessionIdContext(_ctx, p, (uint)id.Length);

        var known = new X509Certificate2Collection(trustRoots);
        if (intermediates is not null) known.AddRange(intermediates);
        using (var credential = new OpenSslCredential(server, known)) credential.ApplyToContext(_ctx);

        var store = LibSsl.CtxGetCertStore(_ctx);
        foreach (var root in trustRoots) AddToStore(store, root, clientCaList: true);
        if (intermediates is not null)
            foreach (var cert in intermediates) AddToStore(store, cert, clientCaList: false);

        var mode = LibSsl.VerifyPeer | (ClientCerts == ClientCertMode.Required ? LibSsl.VerifyFailIfNoPeerCert : 0);
        LibSsl.CtxSetVerify(_ctx, mode, (nint)(delegate* unmanaged[Cdecl]<int, nint, int>)&Verify);
        _self = GCHandle.Alloc(this, GCHandleType.Weak);
        LibSsl.CtxSetExData(_ctx, AppDataIndex, GCHandle.ToIntPtr(_self));
    }

    private void AddToStore(nint store, X509Certificate2 cert, bool clientCaList)
    {
        var x509 = OpenSslCredential.ParseCertificate(cert);
        try
        {
            if (LibCrypto.StoreAddCert(store, x509) != 1)
                throw new InputException($"cannot add {cert.Subject} to the trust store: {LibCrypto.DrainErrors()}");
            if (clientCaList && LibSsl.CtxAddClientCa(_ctx, x509) != 1)
                throw new InputException($"cannot list {cert.Subject} in CertificateRequest: {LibCrypto.DrainErrors()}");
        }
        finally
        {
            LibCrypto.X509Free(x509); // the store holds its own reference; the CA list a copy of the name
        }
    }

    /// <summary>
    /// libssl's verify callback, once per certificate of the client's chain after OpenSSL's own check of it. Keeps
    /// OpenSSL's verdict; for an accepted leaf (depth 0) adds ours: the serial against the CRL in force.
    /// </summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Verify(int preverifyOk, nint storeCtx)
    {
        if (preverifyOk == 0) return 0; // the reason stays in the store context and becomes SSL_get_verify_result
        try
        {
            if (LibCrypto.StoreCtxGetErrorDepth(storeCtx) != 0) return 1;
            var ssl = LibCrypto.StoreCtxGetExData(storeCtx, SslIndexInStoreContext);
            var data = ssl == 0 ? 0 : LibSsl.CtxGetExData(LibSsl.GetSslCtx(ssl), AppDataIndex);
            if (data == 0 || GCHandle.FromIntPtr(data).Target is not OpenSslServerContext server)
                return Fail(storeCtx, OpenSslVerifyErrors.ApplicationVerification);
            var crl = server.Crl;
            if (crl is null) return 1;
            var revoked = IsRevoked(crl, LibCrypto.StoreCtxGetCurrentCert(storeCtx), out var readable);
            if (!readable) return Fail(storeCtx, OpenSslVerifyErrors.ApplicationVerification);
            return revoked ? Fail(storeCtx, OpenSslVerifyErrors.CertRevoked) : 1;
        }
        catch (Exception)
        {
            // Nothing may unwind into libssl; a check that cannot run refuses the peer.
            return Fail(storeCtx, OpenSslVerifyErrors.ApplicationVerification);
        }
    }

    /// <summary>Whether the CRL in force lists this certificate (its issuer's DER name and serial); false with !readable when its fields
    /// cannot be read.</summary>
    private static bool IsRevoked(CrlSet crl, nint x509, out bool readable)
    {
        byte* issuer = null;
        nuint issuerLength = 0;
        readable = x509 != 0 && LibCrypto.X509NameGet0Der(LibCrypto.X509GetIssuerName(x509), &issuer, &issuerLength) == 1;
        if (!readable) return false;
        var serial = LibCrypto.X509Get0SerialNumber(x509);
        return crl.IsRevoked(new ReadOnlySpan<byte>(issuer, (int)issuerLength),
            new ReadOnlySpan<byte>(LibCrypto.Asn1StringGet0Data(serial), LibCrypto.Asn1StringLength(serial)));
    }

    /// <summary>
    /// A resumed session (only with <c>--resume</c>) skips certificate verification, so the verify callback never ran for
    /// it: the peer certificate the session remembers is checked against the CRL in force here instead.
    /// </summary>
    internal bool ResumedPeerIsRevoked(nint ssl)
    {
        if (Crl is not { } crl || LibSsl.SessionReused(ssl) != 1) return false;
        var peer = LibSsl.Get0PeerCertificate(ssl);
        return peer != 0 && IsRevoked(crl, peer, out _);
    }

    private static int Fail(nint storeCtx, int error)
    {
        LibCrypto.StoreCtxSetError(storeCtx, error);
        return 0;
    }

    public void Dispose()
    {
        var ctx = Interlocked.Exchange(ref _ctx, 0);
        if (ctx == 0) return;
        // Connections still open keep the SSL_CTX alive (SSL_new up-refs it); their callbacks must not find a freed handle.
        LibSsl.CtxSetExData(ctx, AppDataIndex, 0);
        _owner.Dispose();
        if (_self.IsAllocated) _self.Free();
    }
}
