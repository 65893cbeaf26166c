using System.Text;
using ConnBurst.Mqtt;

namespace ConnBurst.Tests.Mqtt;

public class MqttCodecTests
{
    private static byte[] Encode(MqttConnect p)
    {
        var buf = new byte[MqttConnectEncoder.GetSize(p)];
        Assert.Equal(buf.Length, MqttConnectEncoder.Write(buf, p));
        return buf;
    }

    private static MqttConnectInfo DecodeConnect(byte[] packet)
    {
        Assert.Equal(MqttDecodeStatus.Ok, MqttFrame.TryRead(packet, 1 << 20, out var h, out _));
        Assert.Equal(MqttPacketType.Connect, h.Type);
        Assert.Equal(packet.Length, h.TotalLength);
        Assert.Equal(MqttReasonCode.Success, MqttConnectDecoder.Decode(MqttFrame.Body(packet, h), out var info));
        return info!;
    }

    [Fact]
    public void MinimalConnectHasTheSpecBytes()
    {
        var bytes = Encode(new MqttConnect { ClientId = "c1", KeepAliveSeconds = 60 });
        byte[] expected = [0x10, 15, 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 5, 0x02, 0, 60, 0, 0, 2, (byte)'c', (byte)'1'];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void ConnectWithEveryFieldRoundTrips()
    {
        var p = new MqttConnect
        {
            ClientId = "clïent-42", CleanStart = false, KeepAliveSeconds = 30, SessionExpiryInterval = 3600, ReceiveMaximum = 10,
            MaximumPacketSize = 4096, UserName = "user", Password = Encoding.ASCII.GetBytes("pw"), WillTopic = "will/t",
            WillPayload = new byte[] { 1, 2, 3 }, WillQoS = 1, WillRetain = true,
        };
        Assert.Null(p.Validate());
        var info = DecodeConnect(Encode(p));
        Assert.Equal("clïent-42", info.ClientId);
        Assert.False(info.CleanStart);
        Assert.Equal(30, info.KeepAliveSeconds);
        Assert.Equal(3600u, info.SessionExpiryInterval);
        Assert.Equal(10, info.ReceiveMaximum);
        Assert.Equal(4096u, info.MaximumPacketSize);
        Assert.Equal("user", info.UserName);
        Assert.True(info.HasPassword);
        Assert.Equal("will/t", info.WillTopic);
        Assert.Equal(1, info.WillQoS);
        Assert.True(info.WillRetain);
    }

    [Theory]
    [InlineData(MqttPropertyIds.ReceiveMaximum)]
    [InlineData(MqttPropertyIds.MaximumPacketSize)]
    public void AZeroReceiveMaximumOrPacketSizeIsAProtocolErrorInConnectAndConnAck(byte id)
    {
        // CONNECT: encode the property as 1, then make it 0 on the wire.
        var connect = Encode(id == MqttPropertyIds.ReceiveMaximum
            ? new MqttConnect { ClientId = "a", ReceiveMaximum = 1 }
            : new MqttConnect { ClientId = "a", MaximumPacketSize = 1 });
        var at = Array.IndexOf(connect, id);
        connect[at + (id == MqttPropertyIds.ReceiveMaximum ? 2 : 4)] = 0;
        Assert.Equal(MqttDecodeStatus.Ok, MqttFrame.TryRead(connect, 1 << 20, out var h, out _));
        Assert.Equal(MqttReasonCode.ProtocolError, MqttConnectDecoder.Decode(MqttFrame.Body(connect, h), out _));

        // CONNACK (success) carrying the same property with value 0.
        byte[] connack = id == MqttPropertyIds.ReceiveMaximum
            ? [0x20, 0x06, 0x00, 0x00, 0x03, id, 0x00, 0x00]
            : [0x20, 0x08, 0x00, 0x00, 0x05, id, 0x00, 0x00, 0x00, 0x00];
        Assert.Equal(MqttDecodeStatus.Invalid, MqttConnAckDecoder.TryDecode(connack, out _, out _, out var reason));
        Assert.Equal(MqttReasonCode.ProtocolError, reason);
    }

    [Fact]
    public void EncoderAllocatesNothingPerPacket()
    {
        var p = new MqttConnect { ClientId = "client-000001", SessionExpiryInterval = 0, ReceiveMaximum = 5 };
        var buf = new byte[256];
        MqttConnectEncoder.Write(buf, p); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) MqttConnectEncoder.Write(buf, p);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ConnAckRoundTripsWithAssignedClientId()
    {
        var buf = new byte[MqttConnAckEncoder.GetSize(5)];
        var n = MqttConnAckEncoder.Write(buf, MqttReasonCode.Success, assignedClientId: "abcde"u8);
        Assert.Equal(buf.Length, n);
        Assert.Equal(MqttDecodeStatus.Ok, MqttConnAckDecoder.TryDecode(buf, out var ack, out var used, out _));
        Assert.Equal(n, used);
        Assert.Equal(MqttReasonCode.Success, ack.ReasonCode);
        Assert.True(ack.HasAssignedClientIdentifier);
        Assert.Equal(MqttConnAckEncoder.Success.ToArray(), buf.AsSpan(0, MqttConnAckEncoder.Write(buf, MqttReasonCode.Success)).ToArray());
    }

    [Fact]
    public void ConnAckDecoderSaysIncompleteForEveryPrefix()
    {
        var full = MqttConnAckEncoder.Success.ToArray();
        for (int i = 0; i < full.Length; i++)
            Assert.Equal(MqttDecodeStatus.Incomplete, MqttConnAckDecoder.TryDecode(full.AsSpan(0, i), out _, out _, out _));
    }

    [Fact]
    public void ConnAckWithSessionPresentOnAnErrorIsAProtocolError()
    {
        byte[] bad = [0x20, 0x03, 0x01, 0x87, 0x00];
        Assert.Equal(MqttDecodeStatus.Invalid, MqttConnAckDecoder.TryDecode(bad, out _, out _, out var reason));
        Assert.Equal(MqttReasonCode.ProtocolError, reason);
    }

    [Fact]
    public void ConnectDecoderReportsIncompleteForEveryPrefix()
    {
        var bytes = Encode(new MqttConnect { ClientId = "prefix-test", SessionExpiryInterval = 5 });
        for (int i = 0; i < bytes.Length; i++)
            Assert.Equal(MqttDecodeStatus.Incomplete, MqttFrame.TryRead(bytes.AsSpan(0, i), 1 << 20, out _, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 6, 2, 0, 60, 0, 0, 0 },
        MqttReasonCode.UnsupportedProtocolVersion)] // level 6: neither 5 nor 4 (3.1.1)
    [InlineData(new byte[] { 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 5, 3, 0, 60, 0, 0, 0 },
        MqttReasonCode.MalformedPacket)] // reserved flag
    [InlineData(new byte[] { 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 5, 2, 0, 60, 3, 0x21, 0, 0, 0, 0 },
        MqttReasonCode.ProtocolError)] // receive max 0
    [InlineData(new byte[] { 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 5, 2, 0, 60, 2, 0x7F, 0, 0, 0 },
        MqttReasonCode.MalformedPacket)] // unknown property
    [InlineData(new byte[] { 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 5, 2, 0, 60, 0, 0, 1, 0 },
        MqttReasonCode.MalformedPacket)] // U+0000 in client id
    [InlineData(new byte[] { 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 5, 2, 0, 60, 0, 0, 2, 0xED, 0xA0 },
        MqttReasonCode.MalformedPacket)] // surrogate bytes
    [InlineData(new byte[] { 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 5, 0, 0, 60, 0, 0, 0 },
        MqttReasonCode.ClientIdentifierNotValid)] // empty id, no clean start
    [InlineData(new byte[] { 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 5, 2, 0, 60, 0, 0, 0, 9 },
        MqttReasonCode.MalformedPacket)] // trailing byte
    [InlineData(new byte[] { 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 5, 2, 0, 60, 10, 0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 2, 0, 0 },
        MqttReasonCode.ProtocolError)] // duplicate property
    public void MalformedConnectGetsTheRightReasonCode(byte[] body, MqttReasonCode expected) =>
        Assert.Equal(expected, MqttConnectDecoder.Decode(body, out _));

    [Fact]
    public void OversizedPacketIsRefusedBeforeItsBodyArrives()
    {
        byte[] header = [0x30, 0xFF, 0xFF, 0x7F]; // PUBLISH claiming 2 MB
        Assert.Equal(MqttDecodeStatus.Invalid, MqttFrame.TryRead(header, 64 * 1024, out _, out var reason));
        Assert.Equal(MqttReasonCode.PacketTooLarge, reason);
    }

    [Fact]
    public void BadFixedHeaderFlagsAreMalformed()
    {
        Assert.Equal(MqttDecodeStatus.Invalid, MqttFrame.TryRead([0xC1, 0x00], 100, out _, out var reason)); // PINGREQ with flags
        Assert.Equal(MqttReasonCode.MalformedPacket, reason);
        Assert.Equal(MqttDecodeStatus.Invalid, MqttFrame.TryRead([0x00, 0x00], 100, out _, out _)); // reserved type 0
    }

    [Fact]
    public void ControlPacketConstantsMatchTheSpec()
    {
        Assert.Equal(new byte[] { 0xC0, 0 }, MqttConstants.PingReq.ToArray());
        Assert.Equal(new byte[] { 0xD0, 0 }, MqttConstants.PingResp.ToArray());
        Assert.Equal(new byte[] { 0xE0, 0 }, MqttConstants.DisconnectNormal.ToArray());
        var buf = new byte[3];
        Assert.Equal(3, MqttDisconnect.Write(buf, MqttReasonCode.KeepAliveTimeout));
        Assert.Equal(new byte[] { 0xE0, 1, 0x8D }, buf);
        Assert.Equal(MqttReasonCode.Success, MqttDisconnect.Decode(buf.AsSpan(2), out var why));
        Assert.Equal(MqttReasonCode.KeepAliveTimeout, why);
    }

    [Fact]
    public void PublishAndSubscribeAreDecodedForTheBrokersAnswer()
    {
        // PUBLISH QoS 1 "t" pid 7, no properties, payload "x"
        byte[] body = [0, 1, (byte)'t', 0, 7, 0, (byte)'x'];
        Assert.Equal(MqttReasonCode.Success, MqttClientPackets.DecodePublish(0b0010, body, out var qos, out var pid));
        Assert.Equal(1, qos);
        Assert.Equal(7, pid);
        Assert.Equal(MqttReasonCode.TopicNameInvalid, MqttClientPackets.DecodePublish(0, [0, 1, (byte)'#', 0], out _, out _));
        // SUBSCRIBE pid 9, two filters
        byte[] sub = [0, 9, 0, 0, 1, (byte)'a', 0, 0, 1, (byte)'b', 1];
        Assert.Equal(MqttReasonCode.Success, MqttClientPackets.DecodeSubscribe(sub, out var spid, out var filters));
        Assert.Equal(9, spid);
        Assert.Equal(2, filters);
        var ack = new byte[MqttServerAcks.GetSubAckSize(2)];
        MqttServerAcks.WriteSubAck(ack, MqttPacketType.SubAck, 9, 2, MqttReasonCode.ImplementationSpecificError);
        Assert.Equal(new byte[] { 0x90, 5, 0, 9, 0, 0x83, 0x83 }, ack);
    }
}
