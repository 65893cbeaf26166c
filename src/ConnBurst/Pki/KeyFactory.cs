using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ConnBurst.Pki;

/// <summary>Creates keys and certificate requests of one key type, and signs with them.</summary>
internal sealed class KeyFactory(PkiKeyType type)
{
    public PkiKeyType Type { get; } = type;

    public AsymmetricAlgorithm NewKey() => Type == PkiKeyType.Rsa2048 ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public CertificateRequest Request(string subject, AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
        _ => throw new ArgumentException("unsupported key", nameof(key)),
    };

    /// <summary>A generator that signs with the issuer's key, whatever type the subject's key is.</summary>
    public static X509SignatureGenerator SignerOf(AsymmetricAlgorithm issuerKey) => issuerKey switch
    {
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
        _ => throw new ArgumentException("unsupported key", nameof(issuerKey)),
    };

    public static X509Certificate2 WithKey(X509Certificate2 cert, AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => cert.CopyWithPrivateKey(rsa),
        ECDsa ec => cert.CopyWithPrivateKey(ec),
        _ => throw new ArgumentException("unsupported key", nameof(key)),
    };

    public static string KeyPem(AsymmetricAlgorithm key) => key.ExportPkcs8PrivateKeyPem();
}
