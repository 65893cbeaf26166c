using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tls;
using ConnBurst.Transport;
using ConnBurst.Servers.Hosting;

namespace ConnBurst.Tests.Transport;

/// <summary>The protocol-agnostic TLS host with a tiny line-echo session, over real loopback sockets.</summary>
public class TlsServerHostTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Echoes each complete line back upper-cased; "bye" closes; idle for more than 1 s times out.</summary>
    private sealed class EchoSession(ServerConnection connection) : IConnectionSession
    {
        public static int Closed;
        public static ConnectionCloseReason LastReason;
        private long _lastSeen = Environment.TickCount64;
        public long IdleTimeoutMs { get; init; } = long.MaxValue / 2;

        public int Consume(ReadOnlySpan<byte> data)
        {
            Volatile.Write(ref _lastSeen, Environment.TickCount64);
            var used = 0;
            int nl;
            while ((nl = data[used..].IndexOf((byte)'\n')) >= 0)
            {
                var line = Encoding.ASCII.GetString(data.Slice(used, nl));
                used += nl + 1;
                if (line == "bye") { connection.CloseAfterFlush(); return used; }
                connection.Output.Write(Encoding.ASCII.GetBytes(line.ToUpperInvariant() + "\n"));
            }
            return used;
        }

        public string? CheckTimeout(long nowMs) => nowMs - Volatile.Read(ref _lastSeen) > IdleTimeoutMs ? "idle" : null;

        public void OnClosed(ConnectionCloseReason reason)
        {
            LastReason = reason;
            Interlocked.Increment(ref Closed);
        }
    }

    /// <summary>The server TLS engines the host's behaviour tests run over: the transport must not care which runs below it.</summary>
    public static TheoryData<string> Engines() => new() { "openssl", "sslstream" };

    private static TlsServerHost StartHost(TimeSpan? handshakeTimeout = null, long idleMs = long.MaxValue / 2, bool reusePort = false,
        string engine = "sslstream")
    {
        var tls = TlsServerFactory.FromManifest(TestPki.Manifest, TlsOptions.Default, ClientCertMode.Required,
            engine: TlsEngines.Parse(engine));
        var host = new TlsServerHost(new TlsServerHostOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            HandshakeTimeout = handshakeTimeout ?? TimeSpan.FromSeconds(10),
            HeartbeatInterval = TimeSpan.FromMilliseconds(200),
            ReusePort = reusePort,
        }, tls, c => new EchoSession(c) { IdleTimeoutMs = idleMs });
        host.Start();
        return host;
    }

    private static async Task<SslStream> ConnectAsync(TlsServerHost host, ConnBurst.Pki.CertKeyPair? pair)
    {
        var m = TestPki.Manifest;
        var client = new TlsClientFactory(TlsOptions.Default, "localhost", TlsCertificates.Roots(m),
            pair is null ? null : TlsCertificates.LoadWithKey(m.PathOf(pair.Cert), m.PathOf(pair.Key)));
        var tcp = new TcpClient();
        await tcp.ConnectAsync(host.LocalEndPoint!).WaitAsync(Timeout);
        var ssl = new SslStream(tcp.GetStream());
        await ssl.AuthenticateAsClientAsync(client.Options).WaitAsync(Timeout);
        return ssl;
    }

    private static async Task<string> ReadLineAsync(Stream s)
    {
        var sb = new StringBuilder();
        var one = new byte[1];
        while (await s.ReadAsync(one).AsTask().WaitAsync(Timeout) == 1 && one[0] != '\n') sb.Append((char)one[0]);
        return sb.ToString();
    }

    /// <summary>Bytes read, or 0 when the server closed the connection (FIN or reset both count).</summary>
    private static async Task<int> ReadOrClosedAsync(Stream s)
    {
        try { return await s.ReadAsync(new byte[1]).AsTask().WaitAsync(Timeout); }
        catch (IOException) { return 0; }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met");
            await Task.Delay(50);
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task ASessionSeesBytesSplitAcrossReadsAndRepliesAreFlushed(string engine)
    {
        await using var host = StartHost(engine: engine);
        await using var ssl = await ConnectAsync(host, TestPki.Manifest.Client);
        await ssl.WriteAsync("hel"u8.ToArray());
        await ssl.FlushAsync();
        await Task.Delay(100);
        await ssl.WriteAsync("lo\nworld\n"u8.ToArray());
        Assert.Equal("HELLO", await ReadLineAsync(ssl));
        Assert.Equal("WORLD", await ReadLineAsync(ssl));
        await ssl.WriteAsync("bye\n"u8.ToArray());
        Assert.Equal(0, await ssl.ReadAsync(new byte[1]).AsTask().WaitAsync(Timeout));
        await WaitUntil(() => host.Counters.Current == 0);
        Assert.Equal(1, host.Counters.HandshakesOk);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task AHalfOpenClientIsCutOffAtTheHandshakeTimeout(string engine)
    {
        await using var host = StartHost(handshakeTimeout: TimeSpan.FromSeconds(1), engine: engine);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host.LocalEndPoint!).WaitAsync(Timeout);
        // Send nothing: the server must close within about a second plus one heartbeat.
        Assert.Equal(0, await ReadOrClosedAsync(tcp.GetStream()));
        await WaitUntil(() => host.Counters.Failed(HandshakeFailure.Timeout) == 1);
        // The failure is counted before the connection leaves the registry: wait for that too, don't race it.
        await WaitUntil(() => host.Counters.Current == 0);
        Assert.Equal(1, host.Counters.Failed(HandshakeFailure.Timeout));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task HandshakeFailuresAreCountedByReason(string engine)
    {
        await using var host = StartHost(engine: engine);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var s = await ConnectAsync(host, TestPki.Manifest.Revoked[0]);
            await s.ReadAsync(new byte[1]).AsTask().WaitAsync(Timeout);
            await s.WriteAsync("x\n"u8.ToArray());
            await s.ReadAsync(new byte[1]).AsTask().WaitAsync(Timeout);
            throw new IOException("read ended");
        });
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var s = await ConnectAsync(host, null);
            await s.ReadAsync(new byte[1]).AsTask().WaitAsync(Timeout);
            throw new IOException("read ended");
        });
        await WaitUntil(() => host.Counters.FailedTotal == 2);
        Assert.Equal(1, host.Counters.Failed(HandshakeFailure.Revoked));
        Assert.Equal(1, host.Counters.Failed(HandshakeFailure.NoCert));
        Assert.Equal(0, host.Counters.HandshakesOk);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task TheHeartbeatEnforcesTheSessionsDeadline(string engine)
    {
        await using var host = StartHost(idleMs: 500, engine: engine);
        await using var ssl = await ConnectAsync(host, TestPki.Manifest.Client);
        Assert.Equal(0, await ReadOrClosedAsync(ssl));
        await WaitUntil(() => host.Counters.Current == 0);
        Assert.True(host.Heartbeat.Timeouts.TryGetValue("idle", out var n) && n == 1);
    }

    [Fact]
    public async Task ReusePortLetsTwoHostsShareAPort()
    {
        await using var a = StartHost(reusePort: true);
        var tls = TlsServerFactory.FromManifest(TestPki.Manifest, TlsOptions.Default, ClientCertMode.Required);
        await using var b = new TlsServerHost(new TlsServerHostOptions { EndPoint = a.LocalEndPoint!, ReusePort = true }, tls,
            c => new EchoSession(c));
        b.Start();
        Assert.Equal(a.LocalEndPoint!.Port, b.LocalEndPoint!.Port);
        using var probe = ListenSockets.Listen(new IPEndPoint(IPAddress.Loopback, 0), 16, reusePort: true);
        Assert.True(ListenSockets.GetReusePort(probe));
        using var plain = ListenSockets.Listen(new IPEndPoint(IPAddress.Loopback, 0), 16, reusePort: false);
        Assert.False(ListenSockets.GetReusePort(plain));
    }

    [Fact]
    public async Task AcceptRateIsThrottled()
    {
        var tls = TlsServerFactory.FromManifest(TestPki.Manifest, TlsOptions.Default, ClientCertMode.Required);
        await using var host = new TlsServerHost(new TlsServerHostOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0), MaxAcceptRate = 5,
        }, tls, c => new EchoSession(c));
        host.Start();
        var since = System.Diagnostics.Stopwatch.StartNew();
        var clients = new List<TcpClient>();
        try
        {
            for (int i = 0; i < 20; i++)
            {
                var c = new TcpClient();
                await c.ConnectAsync(host.LocalEndPoint!).WaitAsync(Timeout); // completes from the backlog
                clients.Add(c);
            }
            // At 5/s the accepts trail the clock: never more than a second's worth ahead of it, however slow the machine
            // (slowness only accepts fewer); and the throttle delays, it does not drop: all 20 are accepted in the end.
            long accepted;
            while ((accepted = host.Counters.Accepted) < 20)
            {
                var bound = 5 * (since.Elapsed.TotalSeconds + 1) + 1;
                Assert.True(accepted <= bound, $"{accepted} accepted within {since.Elapsed.TotalSeconds:0.0} s of a 5/s throttle");
                Assert.True(since.Elapsed < Timeout, $"only {accepted} of 20 accepted in {since.Elapsed}");
                await Task.Delay(50);
            }
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }
}
