using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ConnBurst.Common;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tls;

namespace ConnBurst.Tests.Tls;

public class CrlSetTests
{
    [Fact]
    public void TheTestPkisCrlLoadsWithEveryRevokedSerial()
    {
        var m = TestPki.Manifest;
        var crl = CrlSet.Load(m.PathOf(m.Crl), TlsCertificates.Issuer(m));
        Assert.Equal(m.RevokedCount, crl.Count);
        foreach (var r in m.Revoked) Assert.True(crl.IsRevoked(X509Certificate2.CreateFromPem(File.ReadAllText(m.PathOf(r.Cert)))));
        Assert.False(crl.IsRevoked(TlsCertificates.Client(m).Certificate));
    }

    [Fact]
    public void ACrlWithOneFlippedSignatureByteIsRefused()
    {
        using var dir = new TempDir();
        var m = TestPki.CopyTo(dir.Combine("pki"));
        CrlFiles.FlipLastSignatureByte(m.PathOf(m.Crl));
        var e = Assert.Throws<InputException>(() => CrlSet.Load(m.PathOf(m.Crl), TlsCertificates.Issuer(m)));
        Assert.Contains("signature does not verify", e.Message);
    }

    [Fact]
    public void ACrlFromAnotherCaIsRefused()
    {
        var foreign = TestPki.ForeignCa;
        var e = Assert.Throws<InputException>(() => CrlSet.Load(foreign.PathOf(foreign.Crl), TlsCertificates.Issuer(TestPki.Manifest)));
        Assert.Contains("refused", e.Message);
    }

    [Fact]
    public void AReplacedCrlIsSwappedInAndLogged()
    {
        using var dir = new TempDir();
        var m = TestPki.CopyTo(dir.Combine("pki"));
        var log = new List<string>();
        var crl = CrlSet.Load(m.PathOf(m.Crl), TlsCertificates.Issuer(m), log.Add);
        var client = TlsCertificates.Client(m).Certificate;
        Assert.Equal(CrlReloadOutcome.Unchanged, crl.ReloadIfChanged());

        CrlFiles.WriteWithSerial(m, client.SerialNumberBytes.ToArray());
        Assert.Equal(CrlReloadOutcome.Reloaded, crl.ReloadIfChanged());
        Assert.True(crl.IsRevoked(client));
        Assert.Contains(log, l => l.Contains("reloaded"));

        // A bad replacement keeps the good CRL in force and says so once.
        CrlFiles.FlipLastSignatureByte(m.PathOf(m.Crl));
        Assert.Equal(CrlReloadOutcome.Refused, crl.ReloadIfChanged());
        Assert.True(crl.IsRevoked(client));
        Assert.Equal(CrlReloadOutcome.Unchanged, crl.ReloadIfChanged());
    }
}

/// <summary>CRL files for tests: tampered copies and re-signed replacements.</summary>
internal static class CrlFiles
{
    public static void FlipLastSignatureByte(string pemPath)
    {
        var text = File.ReadAllText(pemPath);
        PemEncoding.TryFind(text, out var f);
        var der = Convert.FromBase64String(text[f.Base64Data]);
        der[^1] ^= 0x01; // the signature BIT STRING is the last field of the CertificateList
        File.WriteAllText(pemPath, PemEncoding.WriteString("X509 CRL", der) + "\n");
        // Make sure the mtime moves even on coarse-grained file systems.
        File.SetLastWriteTimeUtc(pemPath, DateTime.UtcNow.AddSeconds(2));
    }

    /// <summary>Rewrites the manifest's CRL, signed by its issuer, with the existing serials plus <paramref name="extraSerial"/>.</summary>
    public static void WriteWithSerial(ConnBurst.Pki.PkiManifest m, byte[] extraSerial)
    {
        var issuer = X509Certificate2.CreateFromPemFile(m.PathOf(m.Issuer.Cert), m.PathOf(m.Issuer.Key));
        var text = File.ReadAllText(m.PathOf(m.Crl));
        PemEncoding.TryFind(text, out var f);
        var builder = CertificateRevocationListBuilder.Load(Convert.FromBase64String(text[f.Base64Data]), out var number);
        builder.AddEntry(extraSerial, DateTimeOffset.UtcNow.AddMinutes(-1), X509RevocationReason.KeyCompromise);
        var crl = builder.Build(issuer, number + BigInteger.One, DateTimeOffset.UtcNow.AddDays(30), HashAlgorithmName.SHA256,
            RSASignaturePadding.Pkcs1);
        var tmp = m.PathOf(m.Crl) + ".new";
        File.WriteAllText(tmp, PemEncoding.WriteString("X509 CRL", crl) + "\n");
        File.Move(tmp, m.PathOf(m.Crl), overwrite: true); // atomic replace, as an operator's tooling would do
        File.SetLastWriteTimeUtc(m.PathOf(m.Crl), DateTime.UtcNow.AddSeconds(1));
    }
}
