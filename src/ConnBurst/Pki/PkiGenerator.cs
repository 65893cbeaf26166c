using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ConnBurst.Common;

namespace ConnBurst.Pki;

/// <summary>
/// Generates a complete benchmark PKI with .NET's own CertificateRequest and CertificateRevocationListBuilder:
/// root CA, optional intermediate client CA, server, shared client, optional per-client certs, real revoked
/// client certs, an optional expired client cert, and a CRL listing <see cref="PkiOptions.Revoked"/> serials.
/// Everything is written into a fresh sibling directory that is renamed into place at the end, so an
/// existing PKI is either kept whole or replaced whole, never half-overwritten.
/// </summary>
internal static class PkiGenerator
{
    private const UnixFileMode PrivateKeyMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static PkiManifest Generate(PkiOptions options)
    {
        options.Validate();
        var outDir = Path.GetFullPath(options.OutDir);
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any() && !options.Force)
            throw new InputException($"--out: {outDir} already exists and is not empty (use --force to replace it)");

        var parent = Path.GetDirectoryName(outDir) ?? ".";
        var staging = Path.Combine(parent, $".{Path.GetFileName(outDir)}.tmp-{Environment.ProcessId}-{Random.Shared.Next():x}");
        try
        {
            Directory.CreateDirectory(parent);
            Directory.CreateDirectory(staging);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new InputException($"--out: cannot write to {parent}: {e.Message}");
        }

        try
        {
            var manifest = Build(options, staging);
            manifest.Save(staging);
            Publish(staging, outDir);
            manifest.Directory = outDir;
            return manifest;
        }
        catch
        {
            TryDelete(staging);
            throw;
        }
    }

    private static PkiManifest Build(PkiOptions o, string dir)
    {
        var keys = new KeyFactory(o.KeyType);
        var now = DateTimeOffset.UtcNow;
        // Back-dated so that an already-expired client fits inside its issuer's validity, and clock skew is harmless.
        var notBefore = now.AddDays(-30);
        var notAfter = now.AddDays(o.Days);
        var m = new PkiManifest { KeyType = PkiOptions.Name(o.KeyType), Days = o.Days, CreatedAt = now, ServerNames = [.. o.ServerNames] };

        // Key generation dominates (RSA-2048: 50-500 ms a key), so the keys are made up front on every core.
        // Revoked and expired certs share one key: their identity is the serial, not the key.
        var made = new AsymmetricAlgorithm[o.Intermediate ? 5 : 4];
        Parallel.For(0, made.Length, i => made[i] = keys.NewKey());
        using var caKey = made[0];
        using var serverKeyMade = made[1];
        using var clientKeyMade = made[2];
        using var negativeKey = made[3];
        var caReq = keys.Request("CN=ConnBurst Root CA, O=ConnBurst", caKey);
        AddCaExtensions(caReq);
        using var ca = caReq.CreateSelfSigned(notBefore, notAfter.AddDays(1));
        m.Ca = WritePair(dir, "ca", ca, caKey);

        X509Certificate2 issuer = ca;
        AsymmetricAlgorithm issuerKey = caKey;
        X509Certificate2? intermediate = null;
        AsymmetricAlgorithm? intermediateKey = null;
        if (o.Intermediate)
        {
            intermediateKey = made[4];
            var req = keys.Request("CN=ConnBurst Client CA, O=ConnBurst", intermediateKey);
            AddCaExtensions(req);
            req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
            using var signed = req.Create(ca.SubjectName, KeyFactory.SignerOf(caKey), notBefore, notAfter, NewSerial());
            intermediate = KeyFactory.WithKey(signed, intermediateKey);
            m.Issuer = WritePair(dir, "issuer", intermediate, intermediateKey);
            issuer = intermediate;
            issuerKey = intermediateKey;
        }
        else
        {
            m.Issuer = m.Ca;
        }

        // Clients present their issuer too when it is an intermediate, so peers need only the root.
        string ClientChainSuffix() => intermediate is null ? "" : intermediate.ExportCertificatePem() + "\n";

        {
            var serverKey = serverKeyMade;
            var req = keys.Request("CN=" + o.ServerNames[0] + ", O=ConnBurst", serverKey);
            AddLeafExtensions(req, ca, serverAuth: true);
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in o.ServerNames)
            {
                if (IPAddress.TryParse(name, out var ip)) san.AddIpAddress(ip); else san.AddDnsName(name);
            }
            req.CertificateExtensions.Add(san.Build());
            using var server = req.Create(ca.SubjectName, KeyFactory.SignerOf(caKey), notBefore, notAfter, NewSerial());
            m.Server = WritePair(dir, "server", server, serverKey);
        }

        {
            var clientKey = clientKeyMade;
            using var client = IssueClient(keys, "CN=connburst-client, O=ConnBurst", clientKey, issuer, issuerKey, notBefore, notAfter,
                NewSerial());
            m.Client = WritePair(dir, "client", client, clientKey, ClientChainSuffix());
        }

        var revokedSerials = new List<byte[]>(o.Revoked);
        for (int i = 1; i <= Math.Min(o.RevokedCertificates, o.Revoked); i++)
        {
            var key = negativeKey;
            var serial = NewSerial();
            using var cert = IssueClient(keys, $"CN=connburst-revoked-{i}, O=ConnBurst", key, issuer, issuerKey, notBefore, notAfter,
                serial);
            m.Revoked.Add(WritePair(dir, $"revoked-{i}", cert, key, ClientChainSuffix()));
            revokedSerials.Add(serial);
        }

        if (o.Expired)
        {
            var key = negativeKey;
            using var cert = IssueClient(keys, "CN=connburst-expired, O=ConnBurst", key, issuer, issuerKey, now.AddDays(-20),
                now.AddDays(-1), NewSerial());
            m.Expired = WritePair(dir, "expired", cert, key, ClientChainSuffix());
        }

        if (o.Clients > 0) m.Clients = IssuePerClient(o, keys, dir, issuer, issuerKey, notBefore, notAfter, ClientChainSuffix());

        while (revokedSerials.Count < o.Revoked) revokedSerials.Add(NewSerial());
        var crl = BuildCrl(revokedSerials, issuer, issuerKey, now, notAfter);
        File.WriteAllText(Path.Combine(dir, "crl.pem"), PemEncoding.WriteString("X509 CRL", crl) + "\n");
        m.Crl = "crl.pem";
        m.RevokedCount = revokedSerials.Count;

        if (intermediate is not null)
        {
            File.WriteAllText(Path.Combine(dir, "chain.pem"),
                intermediate.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n");
            m.Chain = "chain.pem";
            intermediate.Dispose();
            intermediateKey!.Dispose();
        }
        return m;
    }

    /// <summary>
    /// Per-client certificates, signed in parallel. They share one key unless DistinctKeys is set: what a benchmark
    /// needs from per-client identity is a distinct subject and serial, and 10,000 RSA keys would take minutes.
    /// </summary>
    private static List<CertKeyPair> IssuePerClient(PkiOptions o, KeyFactory keys, string dir, X509Certificate2 issuer,
        AsymmetricAlgorithm issuerKey, DateTimeOffset notBefore, DateTimeOffset notAfter, string chainSuffix)
    {
        var sub = Path.Combine(dir, "clients");
        Directory.CreateDirectory(sub);
        var width = Math.Max(5, o.Clients.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        using var sharedKey = o.DistinctKeys ? null : keys.NewKey();
        if (sharedKey is not null) WriteKey(Path.Combine(sub, "client.key"), sharedKey);
        // Built once: CertificateRequest only needs the public half, and the key object is not shared across threads.
        var sharedPublic = sharedKey is null ? null : new PublicKey(sharedKey);
        var pairs = new CertKeyPair[o.Clients];
        // The issuer's key object is not safe to share across threads: each worker imports its own copy.
        var issuerPkcs8 = issuerKey.ExportPkcs8PrivateKey();
        Parallel.For(0, o.Clients, () =>
        {
            AsymmetricAlgorithm k = o.KeyType == PkiKeyType.Rsa2048 ? RSA.Create() : ECDsa.Create();
            k.ImportPkcs8PrivateKey(issuerPkcs8, out _);
            return k;
        }, (i, _, localIssuerKey) =>
        {
            var name = "client-" + (i + 1).ToString("D" + width, System.Globalization.CultureInfo.InvariantCulture);
            using var ownKey = sharedKey is null ? keys.NewKey() : null;
            var req = ownKey is not null
                ? keys.Request($"CN=connburst-{name}, O=ConnBurst", ownKey)
                : new CertificateRequest(new X500DistinguishedName($"CN=connburst-{name}, O=ConnBurst"), sharedPublic!,
                HashAlgorithmName.SHA256,
                    o.KeyType == PkiKeyType.Rsa2048 ? RSASignaturePadding.Pkcs1 : null);
            AddLeafExtensions(req, issuer, serverAuth: false);
            using var cert = req.Create(issuer.SubjectName, KeyFactory.SignerOf(localIssuerKey), notBefore, notAfter, NewSerial());
            File.WriteAllText(Path.Combine(sub, name + ".pem"), cert.ExportCertificatePem() + "\n" + chainSuffix);
            if (ownKey is not null) WriteKey(Path.Combine(sub, name + ".key"), ownKey);
            pairs[i] = new CertKeyPair($"clients/{name}.pem", ownKey is null ? "clients/client.key" : $"clients/{name}.key");
            return localIssuerKey;
        }, k => k.Dispose());
        return [.. pairs];
    }

    private static X509Certificate2 IssueClient(KeyFactory keys, string subject, AsymmetricAlgorithm key, X509Certificate2 issuer,
        AsymmetricAlgorithm issuerKey, DateTimeOffset notBefore, DateTimeOffset notAfter, byte[] serial)
    {
        var req = keys.Request(subject, key);
        AddLeafExtensions(req, issuer, serverAuth: false);
        return req.Create(issuer.SubjectName, KeyFactory.SignerOf(issuerKey), notBefore, notAfter, serial);
    }

    private static byte[] BuildCrl(List<byte[]> serials, X509Certificate2 issuer, AsymmetricAlgorithm issuerKey, DateTimeOffset now,
        DateTimeOffset nextUpdate)
    {
        var builder = new CertificateRevocationListBuilder();
        var revokedAt = now.AddMinutes(-5);
        foreach (var s in serials) builder.AddEntry(s, revokedAt, X509RevocationReason.KeyCompromise);
        using var withKey = issuer.HasPrivateKey ? null : KeyFactory.WithKey(issuer, issuerKey);
        var signer = withKey ?? issuer;
        return issuerKey is RSA
            ? builder.Build(signer, BigInteger.One, nextUpdate, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, now)
            : builder.Build(signer, BigInteger.One, nextUpdate, HashAlgorithmName.SHA256, null, now);
    }

    private static void AddCaExtensions(CertificateRequest req)
    {
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
    }

    private static void AddLeafExtensions(CertificateRequest req, X509Certificate2 issuer, bool serverAuth)
    {
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var usage = X509KeyUsageFlags.DigitalSignature | (req.PublicKey.Oid.Value == "1.2.840.113549.1.1.1"
            ? X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.KeyAgreement);
        req.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        var eku = new OidCollection { new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2") };
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(eku, false));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
    }

    /// <summary>A random positive 16-byte serial (RFC 5280 allows up to 20 octets).</summary>
    private static byte[] NewSerial()
    {
        var s = new byte[16];
        RandomNumberGenerator.Fill(s);
        s[0] = (byte)((s[0] & 0x7F) | 0x01);
        return s;
    }

    private static CertKeyPair WritePair(string dir, string name, X509Certificate2 cert, AsymmetricAlgorithm key, string chainSuffix = "")
    {
        File.WriteAllText(Path.Combine(dir, name + ".pem"), cert.ExportCertificatePem() + "\n" + chainSuffix);
        WriteKey(Path.Combine(dir, name + ".key"), key);
        return new CertKeyPair(name + ".pem", name + ".key");
    }

    private static void WriteKey(string path, AsymmetricAlgorithm key)
    {
        var fs = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) fs.UnixCreateMode = PrivateKeyMode;
        using var w = new StreamWriter(path, System.Text.Encoding.ASCII, fs);
        w.Write(KeyFactory.KeyPem(key));
        w.Write('\n');
    }

    /// <summary>Moves the staged PKI into place; an existing one is moved aside first and removed only after.</summary>
    private static void Publish(string staging, string outDir)
    {
        string? aside = null;
        if (Directory.Exists(outDir))
        {
            aside = outDir + $".old-{Environment.ProcessId}";
            Directory.Move(outDir, aside);
        }
        try
        {
            Directory.Move(staging, outDir);
        }
        catch
        {
            if (aside is not null) Directory.Move(aside, outDir);
            throw;
        }
        if (aside is not null) TryDelete(aside);
    }

    private static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (
            UnauthorizedAccessException) { }
    }
}
