using ConnBurst.Common;

namespace ConnBurst.Tls;

/// <summary>What runs a client's TLS: <c>--tls-engine openssl|sslstream</c>.</summary>
internal enum TlsEngine
{
    /// <summary>libssl called directly: one SSL_CTX for the run, no per-connect context (docs/DECISIONS.md). The load generator's
    /// default.</summary>
    OpenSsl,
    /// <summary>.NET's SslStream (over the same OpenSSL), kept for comparison and for platforms without libssl 3.</summary>
    SslStream,
}

internal static class TlsEngines
{
    public static TlsEngine Parse(string? text, string what = "--tls-engine") => text?.Trim().ToLowerInvariant() switch
    {
        "openssl" or "native" => TlsEngine.OpenSsl,
        "sslstream" => TlsEngine.SslStream,
        _ => throw new InputException($"{what}: '{text}' is not a TLS engine (use openssl or sslstream)"),
    };

    public static string Name(this TlsEngine e) => e == TlsEngine.OpenSsl ? "openssl" : "sslstream";
}
