using System.Net.Security;
using ConnBurst.Common;

namespace ConnBurst.Tls;

/// <summary>
/// Cipher names as users type them: IANA names (<c>TLS_AES_256_GCM_SHA384</c>,
/// <c>TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384</c>) or OpenSSL names (<c>ECDHE-RSA-AES256-GCM-SHA384</c>),
/// mapped to <see cref="TlsCipherSuite"/> for a <see cref="CipherSuitesPolicy"/>.
/// </summary>
internal static class TlsCipherSuites
{
    // OpenSSL's names for the TLS 1.2 suites a benchmark plausibly asks for (from `openssl ciphers -stdname`).
    // TLS 1.3 suites have the same name in both worlds.
    private static readonly Dictionary<string, TlsCipherSuite> OpenSslNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ECDHE-RSA-AES256-GCM-SHA384"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        ["ECDHE-RSA-AES128-GCM-SHA256"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ["ECDHE-RSA-CHACHA20-POLY1305"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ["ECDHE-RSA-AES256-SHA384"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
        ["ECDHE-RSA-AES128-SHA256"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
        ["ECDHE-RSA-AES256-SHA"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        ["ECDHE-RSA-AES128-SHA"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        ["ECDHE-ECDSA-AES256-GCM-SHA384"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        ["ECDHE-ECDSA-AES128-GCM-SHA256"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ["ECDHE-ECDSA-CHACHA20-POLY1305"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        ["ECDHE-ECDSA-AES256-SHA384"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
        ["ECDHE-ECDSA-AES128-SHA256"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        ["DHE-RSA-AES256-GCM-SHA384"] = TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        ["DHE-RSA-AES128-GCM-SHA256"] = TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
        ["AES256-GCM-SHA384"] = TlsCipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
        ["AES128-GCM-SHA256"] = TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
        ["AES256-SHA256"] = TlsCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA256,
        ["AES128-SHA256"] = TlsCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA256,
    };

    private static readonly TlsCipherSuite[] Tls13Suites =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_AES_128_CCM_SHA256, TlsCipherSuite.TLS_AES_128_CCM_8_SHA256,
    ];

    public static bool IsTls13(TlsCipherSuite s) => Array.IndexOf(Tls13Suites, s) >= 0;

    /// <summary>Parses a comma- or colon-separated list; an unknown name is an <see cref="InputException"/> naming it.</summary>
    public static IReadOnlyList<TlsCipherSuite> ParseList(string? text, string what = "--ciphers")
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var result = new List<TlsCipherSuite>();
        foreach (var raw in text.Split([',', ':'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var suite = Parse(raw, what);
            if (!result.Contains(suite)) result.Add(suite);
        }
        return result;
    }

    public static TlsCipherSuite Parse(string name, string what = "--ciphers")
    {
        if (OpenSslNames.TryGetValue(name, out var s)) return s;
        // IANA names are the enum's member names; refuse numbers, which Enum.TryParse would accept.
        if (name.StartsWith("TLS_", StringComparison.OrdinalIgnoreCase) && Enum.TryParse(name, ignoreCase: true, out s)
            && Enum.IsDefined(s))
        {
            return s;
        }
        throw new InputException(
            $"{what}: unknown cipher suite '{name}' (use IANA names such as TLS_AES_256_GCM_SHA384 or " +
            $"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, or OpenSSL names such as ECDHE-RSA-AES256-GCM-SHA384)");
    }
}
