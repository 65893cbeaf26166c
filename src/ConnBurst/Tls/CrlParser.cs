using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ConnBurst.Tls;

/// <summary>What a parsed, signature-checked CRL says.</summary>
internal sealed record CrlContents(HashSet<string> RevokedSerials, DateTimeOffset ThisUpdate, DateTimeOffset? NextUpdate);

/// <summary>
/// Reads an X.509 CRL (RFC 5280 §5.1) with <see cref="AsnReader"/> and verifies its signature against the issuer.
/// .NET has no public CRL reader that exposes the entries, so this is the 80 lines of ASN.1 it takes
/// (docs/DECISIONS.md "Tls: CRL parsed by hand"). Throws <see cref="CryptographicException"/> with a reason.
/// </summary>
internal static class CrlParser
{
    public static CrlContents ParseAndVerify(ReadOnlyMemory<byte> der, X509Certificate2 issuer)
    {
        // CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var list = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbs = list.ReadEncodedValue();
        var sigAlg = ReadAlgorithm(list);
        var signature = list.ReadBitString(out var unused);
        list.ThrowIfNotEmpty();
        if (unused != 0) throw new CryptographicException("CRL signature has unused bits");

        Verify(tbs.Span, sigAlg, signature, issuer);

        // TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature AlgorithmIdentifier, issuer Name,
        //   thisUpdate Time, nextUpdate Time OPTIONAL, revokedCertificates SEQUENCE OF ... OPTIONAL, [0] crlExtensions OPTIONAL }
        var t = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        if (t.PeekTag().HasSameClassAndValue(Asn1Tag.Integer)) t.ReadInteger();
        var innerAlg = ReadAlgorithm(t);
        if (innerAlg != sigAlg) throw new CryptographicException("CRL's inner and outer signature algorithms differ");
        var issuerName = t.ReadEncodedValue();
        if (!issuerName.Span.SequenceEqual(issuer.SubjectName.RawData))
            throw new CryptographicException($"CRL issuer is not '{issuer.Subject}'");
        var thisUpdate = ReadTime(t);
        DateTimeOffset? nextUpdate = null;
        if (t.HasData && IsTime(t.PeekTag())) nextUpdate = ReadTime(t);

        var serials = new HashSet<string>(StringComparer.Ordinal);
        if (t.HasData && t.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = t.ReadSequence();
            while (entries.HasData)
            {
                var entry = entries.ReadSequence();
                serials.Add(SerialKey(entry.ReadIntegerBytes().Span));
                // revocationDate and crlEntryExtensions are not needed for a revoked/not-revoked answer.
            }
        }
        return new CrlContents(serials, thisUpdate, nextUpdate);
    }

    /// <summary>A serial number as upper-case hex without leading zero octets: the same key for a CRL entry and a certificate.</summary>
    public static string SerialKey(ReadOnlySpan<byte> bigEndian)
    {
        while (bigEndian.Length > 1 && bigEndian[0] == 0) bigEndian = bigEndian[1..];
        return Convert.ToHexString(bigEndian);
    }

    private static string ReadAlgorithm(AsnReader r)
    {
        var alg = r.ReadSequence();
        var oid = alg.ReadObjectIdentifier();
        // Parameters (NULL for RSA, absent for ECDSA) are ignored: the OID fixes the algorithm.
        return oid;
    }

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader r) =>
        r.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? r.ReadUtcTime() : r.ReadGeneralizedTime();

    private static void Verify(ReadOnlySpan<byte> tbs, string oid, byte[] signature, X509Certificate2 issuer)
    {
        var ok = oid switch
        {
            "1.2.840.113549.1.1.11" => VerifyRsa(tbs, signature, issuer, HashAlgorithmName.SHA256),
            "1.2.840.113549.1.1.12" => VerifyRsa(tbs, signature, issuer, HashAlgorithmName.SHA384),
            "1.2.840.113549.1.1.13" => VerifyRsa(tbs, signature, issuer, HashAlgorithmName.SHA512),
            "1.2.840.10045.4.3.2" => VerifyEcdsa(tbs, signature, issuer, HashAlgorithmName.SHA256),
            "1.2.840.10045.4.3.3" => VerifyEcdsa(tbs, signature, issuer, HashAlgorithmName.SHA384),
            "1.2.840.10045.4.3.4" => VerifyEcdsa(tbs, signature, issuer, HashAlgorithmName.SHA512),
            _ => throw new CryptographicException($"CRL signature algorithm {oid} is not supported"),
        };
        if (!ok)
        {
            throw new CryptographicException(
                $"CRL signature does not verify against the issuer '{issuer.Subject}' (tampered, or signed by another CA)");
        }
    }

    private static bool VerifyRsa(ReadOnlySpan<byte> tbs, byte[] sig, X509Certificate2 issuer, HashAlgorithmName hash)
    {
        using var rsa = issuer.GetRSAPublicKey() ?? throw new CryptographicException("CRL is RSA-signed but the issuer's key is not RSA");
        return rsa.VerifyData(tbs, sig, hash, RSASignaturePadding.Pkcs1);
    }

    private static bool VerifyEcdsa(ReadOnlySpan<byte> tbs, byte[] sig, X509Certificate2 issuer, HashAlgorithmName hash)
    {
        using var ec = issuer.GetECDsaPublicKey() ?? throw new CryptographicException(
            "CRL is ECDSA-signed but the issuer's key is not ECDSA");
        return ec.VerifyData(tbs, sig, hash, DSASignatureFormat.Rfc3279DerSequence);
    }
}
