using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ConnBurst.Common;

using ConnBurst.Interop;

namespace ConnBurst.Tls.OpenSsl;

/// <summary>
/// A client certificate, its private key and intermediates as OpenSSL objects, parsed once and shared by reference
/// (<c>SSL_use_certificate</c> and <c>SSL_use_PrivateKey</c> up-ref them, so a connection never copies a key).
/// </summary>
internal sealed unsafe class OpenSslCredential : IDisposable
{
    // Owned by SafeHandles: a credential that is never disposed still frees its native objects when collected.
    private readonly SafeX509Handle _certificate;
    private readonly SafeEvpPkeyHandle _key;
    private readonly SafeX509Handle[] _chain;

    /// <param name="store">The certificates of the trust store the context holds (its CAs and intermediates). Without
    /// intermediates of its own, the identity is sent with the chain libssl would build from that store on every handshake
    /// (its auto-chain: each issuer found by name, up to a self-signed one, root included), built here once instead
    /// (docs/DECISIONS.md, "Tls: a certificate's chain is built once"). The bytes on the wire are the same.</param>
    public OpenSslCredential(CertificateWithChain credential, X509Certificate2Collection? store = null)
    {
        _certificate = new SafeX509Handle(ParseCertificate(credential.Certificate));
        _key = new SafeEvpPkeyHandle(ParseKey(credential.Certificate));
        var chain = credential.Intermediates.Count > 0 || store is null
            ? credential.Intermediates
            : IssuersOf(credential.Certificate, store);
        _chain = [.. chain.Select(c => new SafeX509Handle(ParseCertificate(c)))];
    }

    /// <summary>The issuers of <paramref name="leaf"/> found by name in <paramref name="store"/>, nearest first, up to a
    /// self-signed one.</summary>
    internal static X509Certificate2Collection IssuersOf(X509Certificate2 leaf, X509Certificate2Collection store)
    {
        var chain = new X509Certificate2Collection();
        for (var cert = leaf; !SelfIssued(cert) && chain.Count < 10;)
        {
            var issuer = store.FirstOrDefault(c => Issued(cert, by: c));
            if (issuer is null) break;
            chain.Add(issuer);
            cert = issuer;
        }
        return chain;
    }

    /// <summary>libcrypto's test of a candidate issuer (X509_check_issued) as far as chain building needs it: the name,
    /// then the key identifiers where both certificates carry them.</summary>
    private static bool Issued(X509Certificate2 cert, X509Certificate2 by)
    {
        if (!by.SubjectName.RawData.AsSpan().SequenceEqual(cert.IssuerName.RawData)) return false;
        var authority = cert.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault()?.KeyIdentifier;
        var subject = by.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifierBytes;
        return authority is not { } a || subject is not { } s || a.Span.SequenceEqual(s.Span);
    }

    private static bool SelfIssued(X509Certificate2 c) => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData);

    /// <summary>Puts this identity on one connection.</summary>
    internal void ApplyTo(nint ssl)
    {
        if (LibSsl.UseCertificate(ssl, _certificate.DangerousGetHandle()) != 1)
            throw new InvalidOperationException("SSL_use_certificate: " + LibCrypto.DrainErrors());
        if (LibSsl.UsePrivateKey(ssl, _key.DangerousGetHandle()) != 1)
            throw new InvalidOperationException("SSL_use_PrivateKey: " + LibCrypto.DrainErrors());
        foreach (var x509 in _chain)
        {
            if (LibSsl.Ctrl(ssl, LibSsl.CtrlChainCert, 1, x509.DangerousGetHandle()) != 1)
                throw new InvalidOperationException("SSL_add1_chain_cert: " + LibCrypto.DrainErrors());
        }
    }

    /// <summary>Makes this identity a server context's own (the context up-refs the objects; this may be disposed after).</summary>
    internal void ApplyToContext(nint ctx)
    {
        if (LibSsl.CtxUseCertificate(ctx, _certificate.DangerousGetHandle()) != 1)
            throw new InputException("server certificate: SSL_CTX_use_certificate: " + LibCrypto.DrainErrors());
        if (LibSsl.CtxUsePrivateKey(ctx, _key.DangerousGetHandle()) != 1)
            throw new InputException("server key: SSL_CTX_use_PrivateKey: " + LibCrypto.DrainErrors());
        if (LibSsl.CtxCheckPrivateKey(ctx) != 1)
            throw new InputException("the server key does not match its certificate: " + LibCrypto.DrainErrors());
        foreach (var x509 in _chain)
        {
            if (LibSsl.CtxCtrl(ctx, LibSsl.CtrlChainCert, 1, x509.DangerousGetHandle()) != 1)
                throw new InputException("server chain: SSL_CTX_add1_chain_cert: " + LibCrypto.DrainErrors());
        }
    }

    internal static nint ParseCertificate(X509Certificate2 certificate)
    {
        var der = certificate.RawData;
        fixed (byte* p = der)
        {
            var cursor = p;
            var x509 = LibCrypto.D2iX509(0, &cursor, der.Length);
            return x509 != 0 ? x509 : throw new InputException(
                $"{certificate.Subject}: OpenSSL cannot parse the certificate: {LibCrypto.DrainErrors()}");
        }
    }

    private static nint ParseKey(X509Certificate2 certificate)
    {
        AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? certificate.GetECDsaPrivateKey()
            ?? throw new InputException($"{certificate.Subject}: the certificate has no RSA or ECDSA private key");
        var der = key.ExportPkcs8PrivateKey();
        try
        {
            fixed (byte* p = der)
            {
                var cursor = p;
                var pkey = LibCrypto.D2iAutoPrivateKey(0, &cursor, der.Length);
                return pkey != 0 ? pkey : throw new InputException(
                    $"{certificate.Subject}: OpenSSL cannot parse the private key: {LibCrypto.DrainErrors()}");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    public void Dispose()
    {
        _certificate.Dispose();
        _key.Dispose();
        foreach (var x509 in _chain) x509.Dispose();
    }
}
