using System.Net;
using System.Net.Sockets;
using System.Text;
using ConnBurst.Load;
using ConnBurst.Pki;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tls;
using ConnBurst.Tls.OpenSsl;

namespace ConnBurst.Tests.Tls;

/// <summary>
/// Both client TLS engines (libssl direct and SslStream) against <c>openssl s_server</c> with a CRL: the same
/// outcome, sorted into the same failure reason, for every case. The load generator's numbers are only comparable
/// across engines if they refuse and accept exactly alike.
/// </summary>
public sealed class TlsClientEngineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static TheoryData<string, string> EnginesAndVersions() => new()
    {
        { "openssl", "1.2" }, { "openssl", "1.3" }, { "sslstream", "1.2" }, { "sslstream", "1.3" },
    };

    public static TheoryData<string> Engines() => new() { "openssl", "sslstream" };

    private static TlsClientFactory Client(string engine, string tls, string host, CertKeyPair? pair, PkiManifest? trust = null,
        bool resume = false)
    {
        var m = TestPki.Manifest;
        var options = TlsOptions.Create(tls, allowResume: resume);
        var roots = TlsCertificates.Roots(trust ?? m);
        var cert = pair is null ? null : TlsCertificates.LoadWithKey(m.PathOf(pair.Cert), m.PathOf(pair.Key));
        var native = TlsEngines.Parse(engine) == TlsEngine.OpenSsl ? new OpenSslClientContext(options, roots) : null;
        return new TlsClientFactory(options, host, roots, cert, openSsl: native);
    }

    /// <summary>Handshake, then one line out and its reversal back: "ok", or the failure's reason as the load generator sorts it.</summary>
    private static async Task<string> Talk(TlsClientFactory factory, int port, Action<ITlsClientConnection>? after = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(Timeout);
        using var tls = factory.Open(socket);
        using var _ = new AfterTalk(after, tls);
        try
        {
            await tls.HandshakeAsync().AsTask().WaitAsync(Timeout);
            await tls.WriteAsync("hello engine\n"u8.ToArray()).AsTask().WaitAsync(Timeout);
            // A zero-length read waits for data without taking it, as the generator's idle hold does.
            Assert.Equal(0, await tls.ReadAsync(Memory<byte>.Empty).AsTask().WaitAsync(Timeout));
            var received = new StringBuilder();
            var buffer = new byte[64];
            while (!received.ToString().Contains('\n'))
            {
                var n = await tls.ReadAsync(buffer).AsTask().WaitAsync(Timeout);
                if (n == 0) return "eof-before-reply";
                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
            Assert.Equal("enigne olleh", received.ToString().TrimEnd('\n', '\r'));
            return "ok";
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
        {
            return TlsFailureReasons.Classify(e);
        }
    }

    [Theory]
    [MemberData(nameof(EnginesAndVersions))]
    public async Task TheSharedClientCertHandshakesAndTalks(string engine, string tls)
    {
        using var server = new OpenSslServer(tls);
        Assert.Equal("ok", await Talk(Client(engine, tls, "localhost", TestPki.Manifest.Client), server.Port));
    }

    [Theory]
    [MemberData(nameof(EnginesAndVersions))]
    public async Task ARevokedClientGetsTheRevokedAlert(string engine, string tls)
    {
        using var server = new OpenSslServer(tls);
        var reason = await Talk(Client(engine, tls, "localhost", TestPki.Manifest.Revoked[0]), server.Port);
        Assert.True(reason == "tls-alert-certificate-revoked", $"{reason}\n{server.Output}");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task AnExpiredClientGetsTheExpiredAlert(string engine)
    {
        using var server = new OpenSslServer("1.2");
        var reason = await Talk(Client(engine, "1.2", "localhost", TestPki.Manifest.Expired!), server.Port);
        Assert.True(reason == "tls-alert-certificate-expired", $"{reason}\n{server.Output}");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task NoClientCertIsRefusedByTheServer(string engine)
    {
        using var server = new OpenSslServer("1.2");
        var reason = await Talk(Client(engine, "1.2", "localhost", null), server.Port);
        Assert.True(reason.StartsWith("tls-alert-", StringComparison.Ordinal), $"{reason}\n{server.Output}");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task AServerOfAnotherCaIsRejectedByTheClient(string engine)
    {
        using var server = new OpenSslServer("1.2", server: TestPki.ForeignCa);
        Assert.Equal("tls-server-cert-rejected", await Talk(Client(engine, "1.2", "localhost", TestPki.Manifest.Client), server.Port));
    }

    /// <summary>
    /// A server certificate whose signature is broken in its last byte, from the right CA by name: the client checks the
    /// CA's signature every handshake, through whatever RSA method libcrypto has registered (docs/DECISIONS.md, "Tls: RSA
    /// keys bypass OpenSSL 3.0's key decoders"), and refuses it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Engines))]
    public async Task AServerCertificateWithABrokenSignatureIsRejectedByTheClient(string engine)
    {
        using var dir = new TempDir();
        var pki = TestPki.CopyTo(dir.Combine("pki"));
        var der = dir.Combine("server.der");
        Tool.Run("openssl", "x509", "-in", pki.PathOf(pki.Server.Cert), "-outform", "DER", "-out", der);
        var bytes = File.ReadAllBytes(der);
        bytes[^1] ^= 0x01; // the signature is the certificate's last field
        File.WriteAllBytes(der, bytes);
        Tool.Run("openssl", "x509", "-inform", "DER", "-in", der, "-out", pki.PathOf(pki.Server.Cert));
        using var server = new OpenSslServer("1.2", server: pki);
        Assert.Equal("tls-server-cert-rejected", await Talk(Client(engine, "1.2", "localhost", TestPki.Manifest.Client), server.Port));
    }

    /// <summary>
    /// One native context against three servers in turn (docs/DECISIONS.md, "Tls: the generator remembers the server chains it
    /// verified; servers verify every client"): the good server's chain is checked in full once and then remembered; the same
    /// chain expected under another name, and a server that changed its certificate to another CA's, are checked in full and
    /// refused; the good server passes again on what was remembered.
    /// </summary>
    [Theory]
    [InlineData("1.2")]
    [InlineData("1.3")]
    public async Task ARememberedServerChainStandsOnlyForItsOwnBytesAndName(string tls)
    {
        var m = TestPki.Manifest;
        var options = TlsOptions.Create(tls);
        var roots = TlsCertificates.Roots(m);
        var cert = TlsCertificates.LoadWithKey(m.PathOf(m.Client.Cert), m.PathOf(m.Client.Key));
        using var context = new OpenSslClientContext(options, roots);
        TlsClientFactory For(string host) => new(options, host, roots, cert, openSsl: context);
        var chains = context.Chains!;
        chains.FreshFor = TimeSpan.FromHours(1); // every count below exact, however slow the machine

        using (var good = new OpenSslServer(tls))
        {
            Assert.Equal("ok", await Talk(For("localhost"), good.Port));
            Assert.Equal("ok", await Talk(For("localhost"), good.Port));
            Assert.Equal((1, 1), (chains.FullChecks, chains.Remembered));
            Assert.Equal("tls-server-cert-rejected", await Talk(For("not-the-server.example"), good.Port));
            Assert.Equal(2, chains.FullChecks);
        }
        using (var swapped = new OpenSslServer(tls, server: TestPki.ForeignCa))
        {
            Assert.Equal("tls-server-cert-rejected", await Talk(For("localhost"), swapped.Port));
            Assert.Equal(3, chains.FullChecks);
        }
        using (var again = new OpenSslServer(tls))
        {
            Assert.Equal("ok", await Talk(For("localhost"), again.Port));
            Assert.Equal((3, 2), (chains.FullChecks, chains.Remembered));
        }
        chains.FreshFor = TimeSpan.Zero; // a check that has aged is made again in full
        using (var later = new OpenSslServer(tls))
        {
            Assert.Equal("ok", await Talk(For("localhost"), later.Port));
            Assert.Equal((4, 2), (chains.FullChecks, chains.Remembered));
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task TheServerNameIsChecked(string engine)
    {
        using var server = new OpenSslServer("1.2");
        Assert.Equal("tls-server-cert-rejected", await Talk(Client(engine, "1.2", "not-the-server.example", TestPki.Manifest.Client),
            server.Port));
        Assert.Equal("ok", await Talk(Client(engine, "1.2", "127.0.0.1", TestPki.Manifest.Client), server.Port));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task APeerThatClosesMidHandshakeIsEndOfStream(string engine)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var talk = Talk(Client(engine, "1.2", "localhost", TestPki.Manifest.Client), port);
        using (var accepted = await listener.AcceptSocketAsync().WaitAsync(Timeout))
        {
            var hello = new byte[4096];
            Assert.True(await accepted.ReceiveAsync(hello, SocketFlags.None).WaitAsync(Timeout) > 0); // the ClientHello arrived
            accepted.Shutdown(SocketShutdown.Both);
        }
        Assert.Equal("tls-eof", await talk);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task APeerThatResetsMidHandshakeIsAReset(string engine)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var talk = Talk(Client(engine, "1.2", "localhost", TestPki.Manifest.Client), port);
        using (var accepted = await listener.AcceptSocketAsync().WaitAsync(Timeout))
        {
            var hello = new byte[4096];
            Assert.True(await accepted.ReceiveAsync(hello, SocketFlags.None).WaitAsync(Timeout) > 0);
            accepted.LingerState = new LingerOption(true, 0); // close with RST
        }
        Assert.Equal("tls-reset", await talk);
    }

    private sealed class AfterTalk(Action<ITlsClientConnection>? after, ITlsClientConnection tls) : IDisposable
    {
        public void Dispose() => after?.Invoke(tls);
    }

    [Theory]
    [InlineData("1.2")]
    [InlineData("1.3")]
    public async Task WithResumeTheNativeEngineResumesTheNextConnectAndWithoutItNever(string tls)
    {
        using var server = new OpenSslServer(tls);
        foreach (var resume in new[] { true, false })
        {
            var client = Client("openssl", tls, "localhost", TestPki.Manifest.Client, resume: resume);
            var resumed = new List<bool>();
            for (int i = 0; i < 3; i++)
                Assert.Equal("ok", await Talk(client, server.Port, c => resumed.Add(c.IsResumed == true)));
            Assert.Equal(resume ? [false, true, true] : [false, false, false], resumed);
        }
    }

    /// <summary>
    /// One run's clients share the native context and its session cache: a session must be offered only to the credential
    /// it began with. Here the second client's certificate is revoked, so a server that resumed it on the first client's
    /// session (which skips verifying its certificate) would let it in.
    /// </summary>
    [Theory]
    [InlineData("1.2")]
    [InlineData("1.3")]
    public async Task WithResumeAClientNeverResumesAnotherCredentialsSession(string tls)
    {
        using var server = new OpenSslServer(tls);
        var m = TestPki.Manifest;
        var options = TlsOptions.Create(tls, allowResume: true);
        var roots = TlsCertificates.Roots(m);
        using var context = new OpenSslClientContext(options, roots);
        var good = new TlsClientFactory(options, "localhost", roots, TlsCertificates.LoadWithKey(m.PathOf(m.Client.Cert),
            m.PathOf(m.Client.Key)), openSsl: context);
        var revoked = new TlsClientFactory(options, "localhost", roots, TlsCertificates.LoadWithKey(m.PathOf(m.Revoked[0].Cert),
            m.PathOf(m.Revoked[0].Key)), openSsl: context);
        var resumed = new List<bool>();
        for (int i = 0; i < 2; i++) Assert.Equal("ok", await Talk(good, server.Port, c => resumed.Add(c.IsResumed == true)));
        Assert.Equal([false, true], resumed); // the good client's session is cached and resumable
        var reason = await Talk(revoked, server.Port);
        Assert.True(reason == "tls-alert-certificate-revoked", $"{reason}\n{server.Output}");
    }

    [Fact]
    public void CipherSuitesReachOpenSslByItsOwnNames()
    {
        using var ok = new OpenSslClientContext(TlsOptions.Create("1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
            TlsCertificates.Roots(TestPki.Manifest));
        using var ok13 = new OpenSslClientContext(TlsOptions.Create("1.3", "TLS_AES_256_GCM_SHA384"),
            TlsCertificates.Roots(TestPki.Manifest));
        Assert.Equal(TlsEngine.OpenSsl, TlsEngines.Parse("openssl"));
        Assert.Throws<ConnBurst.Common.InputException>(() => TlsEngines.Parse("gnutls"));
    }
}
