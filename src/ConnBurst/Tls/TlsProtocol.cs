using System.Security.Authentication;
using ConnBurst.Common;

namespace ConnBurst.Tls;

/// <summary>Which TLS versions a peer offers or accepts: the <c>--tls 1.2|1.3|any</c> option.</summary>
public enum TlsProtocol
{
    /// <summary>TLS 1.2 only: the MQTT benchmark's protocol and the default of every command.</summary>
    Tls12,
    /// <summary>TLS 1.3 only.</summary>
    Tls13,
    /// <summary>TLS 1.2 or 1.3, whichever the peers agree on.</summary>
    Any,
}

internal static class TlsProtocols
{
    public static TlsProtocol Parse(string? text, string what = "--tls") => text?.Trim().ToLowerInvariant() switch
    {
        "1.2" or "tls12" or "tls1.2" => TlsProtocol.Tls12,
        "1.3" or "tls13" or "tls1.3" => TlsProtocol.Tls13,
        "any" => TlsProtocol.Any,
        _ => throw new InputException($"{what}: '{text}' is not a TLS version (use 1.2, 1.3 or any)"),
    };

    public static string Name(this TlsProtocol p) => p switch
    {
        TlsProtocol.Tls12 => "1.2",
        TlsProtocol.Tls13 => "1.3",
        _ => "any",
    };

    public static SslProtocols ToSslProtocols(this TlsProtocol p) => p switch
    {
        TlsProtocol.Tls12 => SslProtocols.Tls12,
        TlsProtocol.Tls13 => SslProtocols.Tls13,
        _ => SslProtocols.Tls12 | SslProtocols.Tls13,
    };

    public static bool Allows12(this TlsProtocol p) => p != TlsProtocol.Tls13;
    public static bool Allows13(this TlsProtocol p) => p != TlsProtocol.Tls12;
}
