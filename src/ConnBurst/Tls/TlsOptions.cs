using System.Net.Security;
using System.Security.Authentication;
using ConnBurst.Common;

namespace ConnBurst.Tls;

/// <summary>
/// What TLS a client or server speaks: protocol version(s), an optional cipher list, and whether session resumption is
/// allowed. Immutable; build it with <see cref="Create"/>, which validates once at the edge and throws
/// <see cref="InputException"/> with a one-line reason. Shared by every client and server in the project.
/// </summary>
internal sealed record TlsOptions
{
    public TlsProtocol Protocol { get; private init; } = TlsProtocol.Tls12;

    /// <summary>The suites to offer/accept, in order; empty means OpenSSL's defaults.</summary>
    public IReadOnlyList<TlsCipherSuite> Ciphers { get; private init; } = [];

    /// <summary>Session tickets/IDs. Off by default: the MQTT benchmark measures full handshakes (<c>--resume</c> turns it
    /// on).</summary>
    public bool AllowResume { get; private init; }

    /// <summary>ALPN protocols a client offers, in order (<c>--alpn mqtt,x-amzn-mqtt-ca</c>); empty: no ALPN extension.</summary>
    public IReadOnlyList<string> Alpn { get; private init; } = [];

    /// <summary>TLS 1.2, OpenSSL's cipher defaults, no resumption.</summary>
    public static TlsOptions Default { get; } = new();

    /// <summary>Builds validated options from command-line text: <c>--tls 1.2|1.3|any</c> and <c>--ciphers a,b</c>.</summary>
    public static TlsOptions Create(string? tls, string? ciphers = null, bool allowResume = false) =>
        Create(TlsProtocols.Parse(tls ?? "1.2"), TlsCipherSuites.ParseList(ciphers), allowResume);

    public static TlsOptions Create(TlsProtocol protocol, IReadOnlyList<TlsCipherSuite>? ciphers = null, bool allowResume = false)
    {
        ciphers ??= [];
        if (ciphers.Count > 0)
        {
            var has13 = ciphers.Any(TlsCipherSuites.IsTls13);
            var has12 = ciphers.Any(c => !TlsCipherSuites.IsTls13(c));
            if (protocol == TlsProtocol.Tls12 && !has12)
                throw new InputException($"--ciphers: none of {string.Join(',', ciphers)} is a TLS 1.2 suite, but --tls is 1.2");
            if (protocol == TlsProtocol.Tls13 && !has13)
                throw new InputException($"--ciphers: none of {string.Join(',', ciphers)} is a TLS 1.3 suite, but --tls is 1.3");
            if (protocol == TlsProtocol.Tls12 && has13)
                throw new InputException($"--ciphers: {ciphers.First(TlsCipherSuites.IsTls13)} is a TLS 1.3 suite, but --tls is 1.2");
            if (protocol == TlsProtocol.Tls13 && has12)
            {
                throw new InputException(
                    $"--ciphers: {ciphers.First(c => !TlsCipherSuites.IsTls13(c))} is a TLS 1.2 suite, but --tls is 1.3");
            }
        }
        return new TlsOptions { Protocol = protocol, Ciphers = [.. ciphers], AllowResume = allowResume };
    }

    /// <summary>These options offering the ALPN protocols of <paramref name="list"/> (<c>PROTO[,PROTO]</c>; null or empty: none).</summary>
    public TlsOptions WithAlpn(string? list)
    {
        var protocols = (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var p in protocols)
        {
            if (p.Length > 255 || p.Any(c => c is < '!' or > '~'))
                throw new InputException($"--alpn: '{p}' is not a protocol name (printable ASCII, at most 255 characters)");
        }
        return protocols.Length == 0 && Alpn.Count == 0 ? this : this with { Alpn = protocols };
    }

    /// <summary>The ALPN list in its wire form (each name after its length byte), as SSL_CTX_set_alpn_protos takes it.</summary>
    public byte[] AlpnWire() => [.. Alpn.SelectMany(p => (byte[])[(byte)p.Length, .. System.Text.Encoding.ASCII.GetBytes(p)])];

    public SslProtocols SslProtocols => Protocol.ToSslProtocols();

    /// <summary>The policy for <c>CipherSuitesPolicy</c>, or null for OpenSSL's defaults. Built per call: callers build once.</summary>
    public CipherSuitesPolicy? BuildCipherPolicy() => Ciphers.Count == 0 ? null : new CipherSuitesPolicy(Ciphers);

    /// <summary>One line for the effective-configuration print-out.</summary>
    public string Describe() =>
        $"TLS {Protocol.Name()}, ciphers {(Ciphers.Count == 0 ? "default" : string.Join(',', Ciphers))}, resumption " +
            $"{(AllowResume ? "on" : "off")}{(Alpn.Count == 0 ? "" : ", ALPN " + string.Join(',', Alpn))}";
}
