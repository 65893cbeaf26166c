namespace ConnBurst.Tests.Infrastructure;

/// <summary>
/// GnuTLS's <c>gnutls-serv</c> (Debian's gnutls-bin) as an independent TLS peer on a free port: the shared test PKI's
/// server certificate, a client certificate required and verified against the test CA, one TLS version. It serves
/// connections side by side and, in TLS 1.3, sends session tickets unless told <c>--noticket</c>.
/// </summary>
internal sealed class GnuTlsServer : PeerProcess
{
    public int Port { get; }

    /// <param name="tls">"1.2" or "1.3".</param>
    /// <param name="tickets">False: no session tickets (a TLS 1.3 server that says nothing after the handshake).</param>
    public GnuTlsServer(string tls, bool tickets = true) : this(FreePort.Next(), tls, tickets) { }

    private GnuTlsServer(int port, string tls, bool tickets) : base("gnutls-serv", Arguments(port, tls, tickets),
        line => line.Contains("listening", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(30)) => Port = port;

    private static IEnumerable<string> Arguments(int port, string tls, bool tickets)
    {
        var m = TestPki.Manifest;
        string[] args =
        [
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--x509certfile", m.PathOf(m.Server.Cert),
            "--x509keyfile", m.PathOf(m.Server.Key), "--x509cafile", m.PathOf(m.Ca.Cert), "--require-client-cert",
            "--verify-client-cert", "--priority", $"NORMAL:-VERS-ALL:+VERS-TLS{tls}",
        ];
        return tickets ? args : [.. args, "--noticket"];
    }
}
