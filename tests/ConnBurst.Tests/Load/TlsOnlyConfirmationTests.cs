using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Load;

/// <summary>
/// <c>burst --tls-only</c> counts a connect only when the server accepted the client. In TLS 1.3 the client's handshake
/// ends before the server has checked the client certificate, so a server's refusal (an alert) comes after it and must
/// still count as a failure with its reason, and a server that says nothing after the handshake leaves the connect
/// unconfirmed. Against OpenSSL's s_server and GnuTLS's gnutls-serv, both requiring a client certificate of the test CA,
/// on TLS 1.2 and 1.3, for both engines.
/// </summary>
public sealed class TlsOnlyConfirmationTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);
    private const int Clients = 6;

    public static TheoryData<string, string, string> ServersEnginesAndVersions()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var server in new[] { "s_server", "gnutls-serv" })
        {
            foreach (var engine in new[] { "openssl", "sslstream" })
            {
                foreach (var tls in new[] { "1.2", "1.3" }) data.Add(server, engine, tls);
            }
        }
        return data;
    }

    private static PeerProcess Start(string server, string tls, out int port)
    {
        if (server == "s_server")
        {
            var s = new OpenSslServer(tls, reverseLines: false);
            port = s.Port;
            return s;
        }
        var g = new GnuTlsServer(tls);
        port = g.Port;
        return g;
    }

    /// <summary>One client at a time (s_server serves them in turn), each holding 100 ms, each connecting once.</summary>
    private static async Task<(CliResult Run, ResultsDocument Doc)> BurstAsync(int port, string engine, string tls, string timeout,
        params string[] identity)
    {
        using var dir = new TempDir();
        var run = await CliProcess.RunAsync(RunTimeout, ["burst", "--target", $"127.0.0.1:{port}", "--pki", TestPki.Dir, .. identity,
            "--tls-only", "--tls-engine", engine, "--tls", tls, "--clients",
                Clients.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--rate", "5", "--linger", "100ms", "--reconnect-delay", "1m", "--duration", "5s", "--connect-timeout", timeout, "--out",
                dir.Path]);
        Assert.True(File.Exists(run.LastLine), run.ToString());
        return (run, ResultsFile.Read(run.LastLine));
    }

    [Theory]
    [MemberData(nameof(ServersEnginesAndVersions))]
    public async Task AnAcceptedClientCountsAndARefusedOneFailsWithItsReason(string server, string engine, string tls)
    {
        using var peer = Start(server, tls, out var port);

        var (run, doc) = await BurstAsync(port, engine, tls, "30s");
        Assert.True(doc.Counts.Connacks == Clients && doc.Counts.Failed.Count == 0,
            $"connacks {doc.Counts.Connacks}, failures: {string.Join(", ", doc.Counts.Failed)}\n{run}\n{server}:\n{peer.Output}");
        Assert.Equal(0, doc.Counts.Other["tlsUnconfirmed"]);

        // A client certificate of another CA: the server refuses every one (in TLS 1.3, after the client's handshake).
        var f = TestPki.ForeignCa;
        (run, doc) = await BurstAsync(port, engine, tls, "30s", "--cert", f.PathOf(f.Client.Cert), "--key", f.PathOf(f.Client.Key));
        Assert.True(doc.Counts.Connacks == 0, $"connacks {doc.Counts.Connacks} for a client the server refuses\n{run}");
        Assert.Equal(0, doc.Counts.Other["tlsUnconfirmed"]);
        Assert.Equal(Clients, doc.Counts.Failed.Values.Sum());
        Assert.All(doc.Counts.Failed.Keys, reason => Assert.StartsWith("tls-alert-", reason));
        Assert.Equal(0, doc.Latency["total"].Count);
    }

    [Theory]
    [InlineData("openssl")]
    [InlineData("sslstream")]
    public async Task ATls13ServerThatSaysNothingAfterTheHandshakeLeavesItUnconfirmed(string engine)
    {
        using var peer = new GnuTlsServer("1.3", tickets: false);
        var (run, doc) = await BurstAsync(peer.Port, engine, "1.3", "2s");

        Assert.True(doc.Counts.Other["tlsUnconfirmed"] == Clients && doc.Counts.Connacks == 0 && doc.Counts.Failed.Count == 0,
            $"unconfirmed {doc.Counts.Other["tlsUnconfirmed"]}, connacks {doc.Counts.Connacks}, failures: " +
            $"{string.Join(", ", doc.Counts.Failed)}\n{run}\ngnutls-serv:\n{peer.Output}");
        Assert.Equal(0, doc.Latency["total"].Count);
        Assert.Contains($"unconfirmed {Clients}: TLS 1.3 handshakes the server sent nothing after", run.Stdout);
    }
}
