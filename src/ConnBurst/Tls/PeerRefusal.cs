namespace ConnBurst.Tls;

/// <summary>Why a peer's certificate was refused. Each value is a counter and a log reason of its own.</summary>
internal enum PeerRefusal
{
    /// <summary>Accepted.</summary>
    None,
    /// <summary>A client certificate is required and the peer sent none.</summary>
    NoCert,
    /// <summary>The chain does not lead to the benchmark CA (another CA, self-signed, or a missing intermediate).</summary>
    WrongCa,
    /// <summary>The certificate (or one in its chain) is past its notAfter.</summary>
    Expired,
    /// <summary>The certificate (or one in its chain) is before its notBefore.</summary>
    NotYetValid,
    /// <summary>The serial is in the CRL in force.</summary>
    Revoked,
    /// <summary>Anything else the chain check flags: bad signature, wrong key usage, the server name does not match.</summary>
    Invalid,
}

internal static class PeerRefusals
{
    /// <summary>Every refusal, for counters that list all reasons (zeros included).</summary>
    public static readonly PeerRefusal[] All =
        [PeerRefusal.NoCert, PeerRefusal.WrongCa, PeerRefusal.Expired, PeerRefusal.NotYetValid, PeerRefusal.Revoked, PeerRefusal.Invalid];

    /// <summary>The stable name used in logs, counters and results JSON.</summary>
    public static string Name(this PeerRefusal r) => r switch
    {
        PeerRefusal.None => "ok",
        PeerRefusal.NoCert => "no-cert",
        PeerRefusal.WrongCa => "wrong-ca",
        PeerRefusal.Expired => "expired",
        PeerRefusal.NotYetValid => "not-yet-valid",
        PeerRefusal.Revoked => "revoked",
        _ => "invalid-cert",
    };
}
