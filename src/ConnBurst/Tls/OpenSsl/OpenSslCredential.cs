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

    public OpenSslCredential(CertificateWithChain credential)
    {
        _certificate = new SafeX509Handle(ParseCertificate(credential.Certificate));
        _key = new SafeEvpPkeyHandle(ParseKey(credential.Certificate));
        _chain = [.. credential.Intermediates.Select(c => new SafeX509Handle(ParseCertificate(c)))];
    }

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
