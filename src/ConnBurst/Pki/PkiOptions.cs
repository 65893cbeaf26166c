using ConnBurst.Common;

namespace ConnBurst.Pki;

internal enum PkiKeyType { Rsa2048, EcdsaP256 }

/// <summary>What <c>connburst certs</c> makes. Validated once by <see cref="Validate"/>, at the edge.</summary>
internal sealed record PkiOptions
{
    public required string OutDir { get; init; }
    public PkiKeyType KeyType { get; init; } = PkiKeyType.Rsa2048;
    /// <summary>Serials listed in the CRL; includes the real revoked certificates.</summary>
    public int Revoked { get; init; } = 10_000;
    /// <summary>Distinct per-client certificates (0: only the one shared client certificate, the MQTT benchmark's case).</summary>
    public int Clients { get; init; }
    /// <summary>Give every per-client certificate its own key (slow for RSA: ~60 ms a key); by default they share one.</summary>
    public bool DistinctKeys { get; init; }
    public IReadOnlyList<string> ServerNames { get; init; } = ["localhost", "127.0.0.1"];
    public int Days { get; init; } = 365;
    public bool Expired { get; init; }
    /// <summary>Sign clients and the CRL with an intermediate client CA, as in the MQTT benchmark's chain.</summary>
    public bool Intermediate { get; init; }
    public bool Force { get; init; }
    /// <summary>Real revoked client certificates written as revoked-N.pem (capped by <see cref="Revoked"/>).</summary>
    public int RevokedCertificates { get; init; } = 3;

    public static PkiKeyType ParseKeyType(string text) => text.Trim().ToLowerInvariant() switch
    {
        "rsa2048" or "rsa" or "rsa-2048" => PkiKeyType.Rsa2048,
        "ecdsa-p256" or "ecdsa" or "p256" or "ec" => PkiKeyType.EcdsaP256,
        _ => throw new InputException($"--key: unknown key type '{text}' (valid: rsa2048, ecdsa-p256)"),
    };

    public static string Name(PkiKeyType k) => k == PkiKeyType.Rsa2048 ? "rsa2048" : "ecdsa-p256";

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutDir)) throw new InputException("--out: an output directory is required");
        if (Revoked < 0) throw new InputException($"--revoked: must be 0 or more, got {Revoked}");
        if (Revoked > 10_000_000) throw new InputException($"--revoked: at most 10,000,000, got {Revoked}");
        if (Clients < 0) throw new InputException($"--clients: must be 0 or more, got {Clients}");
        if (Clients > 1_000_000) throw new InputException($"--clients: at most 1,000,000 distinct certificates, got {Clients}");
        if (Days < 1) throw new InputException($"--days: must be at least 1, got {Days}");
        if (ServerNames.Count == 0 || ServerNames.Any(string.IsNullOrWhiteSpace))
            throw new InputException("--server-names: give at least one name, e.g. localhost,127.0.0.1");
    }
}
