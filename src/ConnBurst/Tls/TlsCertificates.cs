using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ConnBurst.Common;
using ConnBurst.Pki;

namespace ConnBurst.Tls;

/// <summary>A leaf certificate with its private key, plus any intermediates that followed it in its PEM file.</summary>
internal sealed record CertificateWithChain(X509Certificate2 Certificate, X509Certificate2Collection Intermediates);

/// <summary>
/// Loads certificates from PEM files (the <c>certs</c> manifest's format) into forms SslStream on Linux uses directly.
/// Every failure is an <see cref="InputException"/> naming the file.
/// </summary>
internal static class TlsCertificates
{
    /// <summary>A PEM certificate (first one in the file) with its PEM private key; later certificates become intermediates.</summary>
    public static CertificateWithChain LoadWithKey(string certPath, string keyPath)
    {
        RequireFile(certPath, "certificate");
        RequireFile(keyPath, "private key");
        X509Certificate2 cert;
        try
        {
            // On Linux the ephemeral key from CreateFromPemFile works with SslStream as is (no PKCS#12 round trip).
            cert = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }
        catch (CryptographicException e)
        {
            throw new InputException($"{certPath} + {keyPath}: cannot load certificate and key: {e.Message}");
        }
        var all = LoadAll(certPath, "certificate");
        var intermediates = new X509Certificate2Collection();
        for (int i = 1; i < all.Count; i++) intermediates.Add(all[i]);
        return new CertificateWithChain(cert, intermediates);
    }

    /// <summary>Every certificate in a PEM file (at least one).</summary>
    public static X509Certificate2Collection LoadAll(string path, string what = "CA certificate")
    {
        RequireFile(path, what);
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (CryptographicException e)
        {
            throw new InputException($"{path}: cannot read {what}: {e.Message}");
        }
        if (collection.Count == 0) throw new InputException($"{path}: no PEM certificate found ({what})");
        return collection;
    }

    /// <summary>The server's certificate and key from a manifest.</summary>
    public static CertificateWithChain Server(PkiManifest m) => LoadWithKey(m.PathOf(m.Server.Cert), m.PathOf(m.Server.Key));

    /// <summary>The shared client certificate and key from a manifest.</summary>
    public static CertificateWithChain Client(PkiManifest m) => LoadWithKey(m.PathOf(m.Client.Cert), m.PathOf(m.Client.Key));

    /// <summary>The trust anchors of a manifest: the root CA (and the client issuer when it is an intermediate).</summary>
    public static X509Certificate2Collection Roots(PkiManifest m) => LoadAll(m.PathOf(m.Ca.Cert));

    /// <summary>The CA that signs client certificates and the CRL.</summary>
    public static X509Certificate2 Issuer(PkiManifest m) => LoadAll(m.PathOf(m.Issuer.Cert), "issuer certificate")[0];

    private static void RequireFile(string path, string what)
    {
        if (!File.Exists(path)) throw new InputException($"{what} file not found: {path}");
    }
}
