using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using ConnBurst.Pki;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tls;

namespace ConnBurst.Tests.Tls;

/// <summary>The Tls/ factories against each other over real loopback sockets: each refusal is sorted into its reason.</summary>
public class TlsHandshakeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static async Task<(bool clientOk, PeerCheckedSslStream server, bool serverOk)> Handshake(TlsServerFactory server,
        TlsClientFactory client)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var c = new TcpClient();
        var connect = c.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var s = await listener.AcceptTcpClientAsync().WaitAsync(Timeout);
        await connect.WaitAsync(Timeout);
        var serverStream = server.NewStream(s.GetStream());
        using var clientStream = new SslStream(c.GetStream());
        using var cts = new CancellationTokenSource(Timeout);
        var serverTask = Run(() => serverStream.AuthenticateAsServerAsync(server.Options, cts.Token));
        // A client counts as connected only when it reads a byte the server sent after its own handshake succeeded:
        // in TLS 1.3 (and with .NET's post-handshake checks) a client can finish before the server refuses it.
        var clientTask = Run(async () =>
        {
            await clientStream.AuthenticateAsClientAsync(client.Options, cts.Token);
            var one = new byte[1];
            if (await clientStream.ReadAsync(one, cts.Token) != 1) throw new IOException("closed by server");
        });
        var serverOk = await serverTask;
        if (serverOk) await serverStream.WriteAsync(new byte[] { 42 }, cts.Token);
        else s.Close();
        var clientOk = await clientTask;
        return (clientOk, serverStream, serverOk);
    }

    private static async Task<bool> Run(Func<Task> f)
    {
        try { await f(); return true; }
        catch (Exception e) when (e is AuthenticationException or IOException or ObjectDisposedException) { return false; }
    }

    private static TlsServerFactory Server(TlsOptions? tls = null, ClientCertMode mode = ClientCertMode.Required) =>
        TlsServerFactory.FromManifest(TestPki.Manifest, tls ?? TlsOptions.Default, mode);

    private static TlsClientFactory Client(CertKeyPair? pair, PkiManifest? from = null, TlsOptions? tls = null)
    {
        var m = from ?? TestPki.Manifest;
        var cert = pair is null ? null : TlsCertificates.LoadWithKey(m.PathOf(pair.Cert), m.PathOf(pair.Key));
        return new TlsClientFactory(tls ?? TlsOptions.Default, "localhost", TlsCertificates.Roots(TestPki.Manifest), cert);
    }

    [Theory]
    [InlineData("1.2")]
    [InlineData("1.3")]
    public async Task TheSharedClientCertIsAccepted(string version)
    {
        var tls = TlsOptions.Create(version);
        var (clientOk, server, serverOk) = await Handshake(Server(tls), Client(TestPki.Manifest.Client, tls: tls));
        Assert.True(serverOk && clientOk);
        Assert.Equal(PeerRefusal.None, server.Refusal);
        Assert.True(server.PeerChecked);
    }

    [Fact]
    public async Task ARevokedClientIsRefusedAsRevoked()
    {
        var (clientOk, server, serverOk) = await Handshake(Server(), Client(TestPki.Manifest.Revoked[0]));
        Assert.False(serverOk);
        Assert.False(clientOk);
        Assert.Equal(PeerRefusal.Revoked, server.Refusal);
    }

    [Fact]
    public async Task AnExpiredClientIsRefusedAsExpired()
    {
        var (_, server, serverOk) = await Handshake(Server(), Client(TestPki.Manifest.Expired));
        Assert.False(serverOk);
        Assert.Equal(PeerRefusal.Expired, server.Refusal);
    }

    [Fact]
    public async Task AClientOfAnotherCaIsRefusedAsWrongCa()
    {
        var foreign = TestPki.ForeignCa;
        var (_, server, serverOk) = await Handshake(Server(), Client(foreign.Client, foreign));
        Assert.False(serverOk);
        Assert.Equal(PeerRefusal.WrongCa, server.Refusal);
    }

    [Fact]
    public async Task AClientWithoutCertIsRefusedAsNoCertUnlessOptional()
    {
        var (_, server, serverOk) = await Handshake(Server(), Client(null));
        Assert.False(serverOk);
        Assert.Equal(PeerRefusal.NoCert, server.Refusal);

        var (clientOk, optional, optionalOk) = await Handshake(Server(mode: ClientCertMode.Optional), Client(null));
        Assert.True(optionalOk && clientOk);
        Assert.Equal(PeerRefusal.None, optional.Refusal);
    }

    [Fact]
    public async Task AClientRefusesAServerOutsideItsTrustRoots()
    {
        var foreign = TestPki.ForeignCa;
        var foreignServer = TlsServerFactory.FromManifest(foreign, TlsOptions.Default, ClientCertMode.Optional);
        var (clientOk, _, _) = await Handshake(foreignServer, Client(null));
        Assert.False(clientOk);
    }
}
