using System.Runtime.InteropServices;
using ConnBurst.Common;

using ConnBurst.Interop;

namespace ConnBurst.Tls.OpenSsl;

/// <summary>
/// What a client and a server <c>SSL_CTX</c> share, from one <see cref="TlsOptions"/>: protocol bounds, ciphers by
/// OpenSSL's own names, reads ahead with buffers kept through the handshake and released once it is done
/// (<see cref="ReleaseBuffersWhenIdle"/>), a peer's missing close_notify read as end-of-stream, and no session cache or
/// tickets unless resumption is allowed.
/// </summary>
internal static class OpenSslContextSettings
{
    public static void Apply(nint ctx, TlsOptions tls)
    {
        RsaKeyMethod.EnsureRegistered();
        var (min, max) = tls.Protocol switch
        {
            TlsProtocol.Tls12 => (LibSsl.Tls12Version, LibSsl.Tls12Version),
            TlsProtocol.Tls13 => (LibSsl.Tls13Version, LibSsl.Tls13Version),
            _ => (LibSsl.Tls12Version, LibSsl.Tls13Version),
        };
        Check(LibSsl.CtxCtrl(ctx, LibSsl.CtrlSetMinProtoVersion, min, 0), "set the minimum TLS version");
        Check(LibSsl.CtxCtrl(ctx, LibSsl.CtrlSetMaxProtoVersion, max, 0), "set the maximum TLS version");
        // Partial writes never happen on our small packets, but a retried write may come from a moved (re-pinned) buffer.
        // No chain built from the trust store per handshake (an X509_verify_cert each time): OpenSslCredential builds the
        // same chain once (docs/DECISIONS.md, "Tls: a certificate's chain is built once").
        LibSsl.CtxCtrl(ctx, LibSsl.CtrlMode, LibSsl.ModeAcceptMovingWriteBuffer | LibSsl.ModeNoAutoChain, 0);
        // Read whatever the socket has, not one record header and then its body: each side's flights are several
        // records (the server's first is five, and so is the client's certificate flight), and this took about a third of
        // the client's read calls away (the generator's profile: 19 a connect against s_time's 14; docs/BENCHMARKS.md) and three quarters
        // of the
        // server's (16.8 -> 4.7). No SSL_MODE_RELEASE_BUFFERS yet: released after every flight, the buffers cost a
        // 16 KiB free and malloc each time (malloc_consolidate was 2.2% of the generator's samples against s_time's 0.9%).
        LibSsl.CtxCtrl(ctx, LibSsl.CtrlSetReadAhead, 1, 0);
        // A peer that closes without close_notify (Mosquitto after DISCONNECT) is end-of-stream, not an error.
        ulong options = LibSsl.OpIgnoreUnexpectedEof;
        if (!tls.AllowResume)
        {
            options |= LibSsl.OpNoTicket;
            LibSsl.CtxCtrl(ctx, LibSsl.CtrlSetSessCacheMode, 0, 0);
        }
        LibSsl.CtxSetOptions(ctx, options);

        var tls12 = tls.Ciphers.Where(c => !TlsCipherSuites.IsTls13(c)).Select(OpenSslName).ToList();
        var tls13 = tls.Ciphers.Where(TlsCipherSuites.IsTls13).Select(c => c.ToString()).ToList();
        if (tls12.Count > 0 && LibSsl.CtxSetCipherList(ctx, string.Join(':', tls12)) != 1)
            throw new InputException($"--ciphers: OpenSSL accepts none of {string.Join(',', tls12)}: {LibCrypto.DrainErrors()}");
        if (tls13.Count > 0 && LibSsl.CtxSetCipherSuites(ctx, string.Join(':', tls13)) != 1)
            throw new InputException($"--ciphers: OpenSSL accepts none of {string.Join(',', tls13)}: {LibCrypto.DrainErrors()}");
    }

    /// <summary>
    /// Once a handshake is done: from now on the connection's record buffers go whenever they are empty, since a held
    /// connection mostly idles (docs/DECISIONS.md, "Tls: a held native client frees what its handshake left").
    /// </summary>
    public static void ReleaseBuffersWhenIdle(nint ssl) => LibSsl.Ctrl(ssl, LibSsl.CtrlMode, LibSsl.ModeReleaseBuffers, 0);

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
}
