using System.Net.Security;
using System.Net.Sockets;
using ConnBurst.Mqtt;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tls;

namespace ConnBurst.Tests.Servers;

/// <summary>
/// The broker's MQTT behaviour over real TLS connections to the real process, with our own client codec, over both
/// server TLS engines: the session code must not care which one runs below it.
/// </summary>
public class ServeMqttProtocolTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static async Task<SslStream> ConnectTlsAsync(int port)
    {
        var tls = TlsClientFactory.FromManifest(TestPki.Manifest, TlsOptions.Default);
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port).WaitAsync(Timeout);
        var ssl = new SslStream(tcp.GetStream());
        await ssl.AuthenticateAsClientAsync(tls.Options).WaitAsync(Timeout);
        return ssl;
    }

    private static async Task<MqttConnAck> MqttConnectAsync(SslStream ssl, string clientId)
    {
        var connect = new MqttConnect { ClientId = clientId, KeepAliveSeconds = 30 };
        var buf = new byte[MqttConnectEncoder.GetSize(connect)];
        MqttConnectEncoder.Write(buf, connect);
        await ssl.WriteAsync(buf);
        var reply = await ReadPacketAsync(ssl);
        Assert.Equal(MqttDecodeStatus.Ok, MqttConnAckDecoder.TryDecode(reply, out var ack, out _, out _));
        return ack;
    }

    /// <summary>Reads one whole packet, or returns an empty array when the server closed the connection.</summary>
    private static async Task<byte[]> ReadPacketAsync(Stream s)
    {
        var buf = new byte[1024];
        var filled = 0;
        while (true)
        {
            var status = MqttFrame.TryRead(buf.AsSpan(0, filled), buf.Length, out var h, out _);
            if (status == MqttDecodeStatus.Ok) return buf[..h.TotalLength];
            Assert.NotEqual(MqttDecodeStatus.Invalid, status);
            int n;
            try { n = await s.ReadAsync(buf.AsMemory(filled)).AsTask().WaitAsync(Timeout); }
            catch (IOException) { n = 0; }
            if (n == 0) return [];
            filled += n;
        }
    }

    [Theory]
    [MemberData(nameof(ServeMqttInteropTests.Engines), MemberType = typeof(ServeMqttInteropTests))]
    public async Task AMalformedPacketClosesOnlyThatConnection(string engine)
    {
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--tls-engine", engine);
        await using var good = await ConnectTlsAsync(server.Port);
        Assert.Equal(MqttReasonCode.Success, (await MqttConnectAsync(good, "good")).ReasonCode);

        await using var bad = await ConnectTlsAsync(server.Port);
        Assert.Equal(MqttReasonCode.Success, (await MqttConnectAsync(bad, "bad")).ReasonCode);
        await bad.WriteAsync(new byte[] { 0xC1, 0x00 }); // PINGREQ with reserved flags set [MQTT-2.1.3-1]
        Assert.Equal(new byte[] { 0xE0, 0x01, 0x81 }, await ReadPacketAsync(bad)); // DISCONNECT Malformed Packet
        Assert.Empty(await ReadPacketAsync(bad)); // then closed

        await good.WriteAsync(MqttConstants.PingReq.ToArray());
        Assert.Equal(MqttConstants.PingResp.ToArray(), await ReadPacketAsync(good));

        var m = TestPki.Manifest;
        Assert.Equal(0, (await MosquittoPub.RunAsync(server.Port, m.PathOf(m.Ca.Cert), m.PathOf(m.Client.Cert), m.PathOf(m.Client.Key)))
            .ExitCode);
        var result = await server.StopAsync();
        Assert.Contains("MalformedPacket=1", result.Stdout);
    }

    [Theory]
    [MemberData(nameof(ServeMqttInteropTests.Engines), MemberType = typeof(ServeMqttInteropTests))]
    public async Task AnUnsupportedProtocolVersionIsRefusedInTheClientsOwnVersion(string engine)
    {
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--tls-engine", engine, "--mqtt", "5");
        // A 3.1.1 CONNECT (level 4) to a v5-only server: the 3.1.1 CONNACK "unacceptable protocol version" (return code 1).
        await using (var ssl = await ConnectTlsAsync(server.Port))
        {
            await ssl.WriteAsync(new byte[] { 0x10, 13, 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, 2, 0, 60, 0, 1, (byte)'x' });
            Assert.Equal(new byte[] { 0x20, 2, 0, 1 }, await ReadPacketAsync(ssl));
            Assert.Empty(await ReadPacketAsync(ssl));
        }
        // Level 6, which no version has: the v5 CONNACK 0x84.
        await using (var ssl = await ConnectTlsAsync(server.Port))
        {
            await ssl.WriteAsync(new byte[] { 0x10, 14, 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 6, 2, 0, 60, 0, 0, 1,
                (byte)'x' });
            var reply = await ReadPacketAsync(ssl);
            Assert.Equal(MqttDecodeStatus.Ok, MqttConnAckDecoder.TryDecode(reply, out var ack, out _, out _));
            Assert.Equal(MqttReasonCode.UnsupportedProtocolVersion, ack.ReasonCode);
            Assert.Empty(await ReadPacketAsync(ssl));
        }
        var m = TestPki.Manifest;
        var pub = await MosquittoPub.RunAsync(server.Port, m.PathOf(m.Ca.Cert), m.PathOf(m.Client.Cert), m.PathOf(m.Client.Key),
            "mqttv311");
        Assert.NotEqual(0, pub.ExitCode);
        var result = await server.StopAsync();
        Assert.Contains("UnsupportedProtocolVersion=3", result.Stdout);
    }

    [Theory]
    [MemberData(nameof(ServeMqttInteropTests.Engines), MemberType = typeof(ServeMqttInteropTests))]
    public async Task AThreeOneOneSessionIsAnsweredInThreeOneOne(string engine)
    {
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--tls-engine", engine);
        await using var ssl = await ConnectTlsAsync(server.Port);
        await ssl.WriteAsync(new byte[] { 0x10, 12, 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, 2, 0, 60, 0,
            0 }); // empty id, clean
        Assert.Equal(MqttConnAckEncoder.Success311.ToArray(), await ReadPacketAsync(ssl)); // no property carries an assigned id
        await ssl.WriteAsync(new byte[] { 0x32, 0x06, 0, 1, (byte)'t', 0, 5, (byte)'x' }); // PUBLISH QoS 1, pid 5, no properties
        Assert.Equal(new byte[] { 0x40, 2, 0, 5 }, await ReadPacketAsync(ssl)); // PUBACK, no reason code
        await ssl.WriteAsync(new byte[] { 0x82, 0x06, 0, 9, 0, 1, (byte)'t', 1 }); // SUBSCRIBE pid 9, "t" QoS 1
        Assert.Equal(new byte[] { 0x90, 3, 0, 9, 0x80 }, await ReadPacketAsync(ssl)); // SUBACK Failure
        await ssl.WriteAsync(new byte[] { 0xA2, 0x05, 0, 10, 0, 1, (byte)'t' }); // UNSUBSCRIBE pid 10
        Assert.Equal(new byte[] { 0xB0, 2, 0, 10 }, await ReadPacketAsync(ssl)); // UNSUBACK, no payload
        await ssl.WriteAsync(MqttConstants.PingReq.ToArray());
        Assert.Equal(MqttConstants.PingResp.ToArray(), await ReadPacketAsync(ssl));
        await ssl.WriteAsync(new byte[] { 0xE0, 0x01, 0x00 }); // a v5 DISCONNECT with a reason byte: malformed in 3.1.1
        Assert.Empty(await ReadPacketAsync(ssl)); // closed with no DISCONNECT: a 3.1.1 server sends none

        var m = TestPki.Manifest;
        var pub = await MosquittoPub.RunAsync(server.Port, m.PathOf(m.Ca.Cert), m.PathOf(m.Client.Cert), m.PathOf(m.Client.Key),
            "mqttv311");
        Assert.True(pub.ExitCode == 0, pub.Output);
        var result = await server.StopAsync();
        var final = result.Stdout.Split('\n').Single(l => l.StartsWith("final:", StringComparison.Ordinal));
        Assert.Contains("connacks=2 ", final);
        Assert.Contains("MalformedPacket=1", final);
    }

    [Theory]
    [MemberData(nameof(ServeMqttInteropTests.Engines), MemberType = typeof(ServeMqttInteropTests))]
    public async Task PublishAndSubscribeAreAnsweredAndAnEmptyClientIdIsAssignedOne(string engine)
    {
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--tls-engine", engine);
        await using var ssl = await ConnectTlsAsync(server.Port);
        var ack = await MqttConnectAsync(ssl, "");
        Assert.True(ack.HasAssignedClientIdentifier);
        await ssl.WriteAsync(new byte[] { 0x32, 0x07, 0, 1, (byte)'t', 0, 5, 0, (byte)'x' }); // PUBLISH QoS 1, pid 5
        Assert.Equal(new byte[] { 0x40, 3, 0, 5, 0x10 }, await ReadPacketAsync(ssl)); // PUBACK no matching subscribers
        await ssl.WriteAsync(new byte[] { 0x82, 0x07, 0, 9, 0, 0, 1, (byte)'t', 0 }); // SUBSCRIBE pid 9, filter "t" QoS 0
        Assert.Equal(new byte[] { 0x90, 4, 0, 9, 0, 0x83 }, await ReadPacketAsync(ssl)); // SUBACK implementation specific error
    }

    [Theory]
    [MemberData(nameof(ServeMqttInteropTests.Engines), MemberType = typeof(ServeMqttInteropTests))]
    public async Task AClientThatNeverSendsConnectIsClosedAtTheConnectTimeout(string engine)
    {
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--connect-timeout", "1s", "--tls-engine", engine);
        await using var ssl = await ConnectTlsAsync(server.Port);
        Assert.Empty(await ReadPacketAsync(ssl));
        var result = await server.StopAsync();
        Assert.Contains("connect-timeouts=1", result.Stdout);
    }
}
