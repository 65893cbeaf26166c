using ConnBurst.Pki;

namespace ConnBurst.Tests.Infrastructure;

/// <summary>
/// <c>openssl s_server</c> as an independent TLS peer on a free loopback port: the manifest's server certificate,
/// a required client certificate checked against its CA and CRL, and <c>-rev</c> (each line comes back reversed), or
/// its default mode, which prints DONE for each connection its client ended with a close_notify and "unexpected eof"
/// for one that just closed. It serves one connection at a time (the next waits in the listen queue), which is all the
/// engine tests and paced TLS-only bursts with a short linger need. Dispose kills it.
/// </summary>
internal sealed class OpenSslServer : PeerProcess
{
    public int Port { get; }

    /// <param name="tls">"1.2" or "1.3".</param>
    /// <param name="server">Whose server certificate to present (default: the shared test PKI's).</param>
    /// <param name="reverseLines">Echo each line reversed (<c>-rev</c>); false: s_server's default mode.</param>
    /// <param name="extra">More s_server arguments (e.g. <c>-alpn mqtt</c>).</param>
    public OpenSslServer(string tls, PkiManifest? server = null, bool reverseLines = true, params string[] extra)
        : this(FreePort.Next(), tls, server ?? TestPki.Manifest, reverseLines, extra) { }

    /// <summary>The same on a port of the caller's choosing (a server replaced on the port its clients know).</summary>
    public static OpenSslServer OnPort(int port, string tls, PkiManifest server, bool reverseLines = true) =>
        new(port, tls, server, reverseLines, []);

    private OpenSslServer(int port, string tls, PkiManifest s, bool reverseLines, string[] extra)
        : base("openssl", [.. Arguments(port, tls, s, reverseLines), .. extra],
        line => line.StartsWith("ACCEPT", StringComparison.Ordinal), TimeSpan.FromSeconds(20)) => Port = port;

    private static IEnumerable<string> Arguments(int port, string tls, PkiManifest s, bool reverseLines)
    {
        var m = TestPki.Manifest;
        string[] args =
        [
            "s_server", "-accept", $"127.0.0.1:{port}", "-cert", s.PathOf(s.Server.Cert), "-key", s.PathOf(s.Server.Key),
            "-CAfile", m.PathOf(m.Ca.Cert), "-Verify", "2", "-verify_return_error", "-CRL", m.PathOf(m.Crl), "-crl_check",
            tls == "1.3" ? "-tls1_3" : "-tls1_2",
        ];
        return reverseLines ? [.. args, "-rev"] : args;
    }
}
