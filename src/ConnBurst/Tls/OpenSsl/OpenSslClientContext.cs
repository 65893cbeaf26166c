using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using ConnBurst.Common;

namespace ConnBurst.Tls.OpenSsl;

/// <summary>
/// One <c>SSL_CTX</c> for every client connection of a run: protocol bounds, ciphers, the trust store holding the
/// benchmark CA (parsed once), no session cache, and record buffers released while a connection is idle. SslStream
/// creates and frees an <c>SSL_CTX</c> per connection whenever a client certificate is set (.NET 10's
/// <c>AllocateSslHandle</c> disables its context cache then); this is the cost the native engine removes. Client
/// certificates are per connection (<see cref="OpenSslCredential"/>), so one context serves per-client identities too.
/// </summary>
public sealed class OpenSslClientContext : IDisposable
{
    private nint _ctx;

    public TlsOptions Tls { get; }
    public bool Insecure { get; }

    internal nint Handle => _ctx != 0 ? _ctx : throw new ObjectDisposedException(nameof(OpenSslClientContext));

    /// <param name="trustRoots">The CA(s) the server must chain to; ignored when <paramref name="insecure"/>.</param>
    public OpenSslClientContext(TlsOptions tls, X509Certificate2Collection? trustRoots, bool insecure = false)
    {
        if (trustRoots is null && !insecure) throw new ArgumentException("trust roots are required unless insecure", nameof(trustRoots));
        Tls = tls;
        Insecure = insecure;
        _ctx = LibSsl.CtxNew(LibSsl.TlsClientMethod());
        if (_ctx == 0) throw new InvalidOperationException("SSL_CTX_new failed: " + LibCrypto.DrainErrors());
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
        var (min, max) = tls.Protocol switch
        {
            TlsProtocol.Tls12 => (LibSsl.Tls12Version, LibSsl.Tls12Version),
            TlsProtocol.Tls13 => (LibSsl.Tls13Version, LibSsl.Tls13Version),
            _ => (LibSsl.Tls12Version, LibSsl.Tls13Version),
        };
        Check(LibSsl.CtxCtrl(_ctx, LibSsl.CtrlSetMinProtoVersion, min, 0), "set the minimum TLS version");
        Check(LibSsl.CtxCtrl(_ctx, LibSsl.CtrlSetMaxProtoVersion, max, 0), "set the maximum TLS version");
        // Partial writes never happen on our small packets, but a retried write may come from a moved (re-pinned) buffer.
        LibSsl.CtxCtrl(_ctx, LibSsl.CtrlMode, LibSsl.ModeReleaseBuffers | LibSsl.ModeAcceptMovingWriteBuffer, 0);
        // A peer that closes without close_notify (Mosquitto after DISCONNECT) is end-of-stream, not an error.
        ulong options = LibSsl.OpIgnoreUnexpectedEof;
        if (!tls.AllowResume)
        {
            options |= LibSsl.OpNoTicket;
            LibSsl.CtxCtrl(_ctx, LibSsl.CtrlSetSessCacheMode, 0, 0);
        }
        LibSsl.CtxSetOptions(_ctx, options);

        var tls12 = tls.Ciphers.Where(c => !TlsCipherSuites.IsTls13(c)).Select(OpenSslName).ToList();
        var tls13 = tls.Ciphers.Where(TlsCipherSuites.IsTls13).Select(c => c.ToString()).ToList();
        if (tls12.Count > 0 && LibSsl.CtxSetCipherList(_ctx, string.Join(':', tls12)) != 1)
            throw new InputException($"--ciphers: OpenSSL accepts none of {string.Join(',', tls12)}: {LibCrypto.DrainErrors()}");
        if (tls13.Count > 0 && LibSsl.CtxSetCipherSuites(_ctx, string.Join(':', tls13)) != 1)
            throw new InputException($"--ciphers: OpenSSL accepts none of {string.Join(',', tls13)}: {LibCrypto.DrainErrors()}");

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
                if (LibCrypto.StoreAddCert(store, x509) != 1) throw new InputException($"cannot add {root.Subject} to the trust store: {LibCrypto.DrainErrors()}");
            }
            finally
            {
                LibCrypto.X509Free(x509); // the store holds its own reference
            }
        }
        LibSsl.CtxSetVerify(_ctx, LibSsl.VerifyPeer, 0);
    }

    /// <summary>OpenSSL's own name for an IANA TLS 1.2 suite ("ECDHE-RSA-AES256-GCM-SHA384").</summary>
    private static string OpenSslName(System.Net.Security.TlsCipherSuite suite)
    {
        var name = Marshal.PtrToStringUTF8(LibSsl.CipherName(suite.ToString()));
        if (name is null or "(NONE)") throw new InputException($"--ciphers: OpenSSL does not know {suite}");
        return name;
    }

    private static void Check(long result, string what)
    {
        if (result != 1) throw new InvalidOperationException($"SSL_CTX: cannot {what}: {LibCrypto.DrainErrors()}");
    }

    public void Dispose()
    {
        var ctx = Interlocked.Exchange(ref _ctx, 0);
        if (ctx != 0) LibSsl.CtxFree(ctx); // connections hold their own reference (SSL_new up-refs the context)
    }
}
