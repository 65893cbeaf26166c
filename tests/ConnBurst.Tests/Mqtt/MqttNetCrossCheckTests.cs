using System.Text;
using ConnBurst.Mqtt;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace ConnBurst.Tests.Mqtt;

/// <summary>Our bytes against MQTTnet 5.2's v5 formatter, an implementation nobody here wrote.</summary>
public class MqttNetCrossCheckTests
{
    private static MqttPacketFormatterAdapter Formatter() => new(MqttProtocolVersion.V500, new MqttBufferWriter(4096, 65536));

    private static MqttPacket DecodeWithMqttNet(byte[] packet)
    {
        Assert.Equal(MqttDecodeStatus.Ok, MqttFrame.TryRead(packet, 1 << 20, out var h, out _));
        var body = new ArraySegment<byte>(packet, h.HeaderLength, h.RemainingLength);
        return Formatter().Decode(new ReceivedMqttPacket(packet[0], body, packet.Length));
    }

    [Fact]
    public void MqttNetDecodesOurConnect()
    {
        var p = new MqttConnect
        {
            ClientId = "bench-000123", KeepAliveSeconds = 45, SessionExpiryInterval = 0, ReceiveMaximum = 20, MaximumPacketSize = 65536,
            UserName = "u", Password = Encoding.ASCII.GetBytes("secret"), WillTopic = "w/t", WillPayload = new byte[] { 9 }, WillQoS = 2,
        };
        var buf = new byte[MqttConnectEncoder.GetSize(p)];
        MqttConnectEncoder.Write(buf, p);
        var c = Assert.IsType<MqttConnectPacket>(DecodeWithMqttNet(buf));
        Assert.Equal("bench-000123", c.ClientId);
        Assert.True(c.CleanSession);
        Assert.Equal(45, c.KeepAlivePeriod);
        Assert.Equal(0u, c.SessionExpiryInterval);
        Assert.Equal(20, c.ReceiveMaximum);
        Assert.Equal(65536u, c.MaximumPacketSize);
        Assert.Equal("u", c.Username);
        Assert.Equal("secret", Encoding.ASCII.GetString(c.Password));
        Assert.True(c.WillFlag);
        Assert.Equal("w/t", c.WillTopic);
        Assert.Equal(MqttQualityOfServiceLevel.ExactlyOnce, c.WillQoS);
    }

    [Fact]
    public void OurConnectBytesEqualMqttNetsForTheBenchmarkShape()
    {
        var theirs = Formatter().Encode(new MqttConnectPacket { ClientId = "client-1", CleanSession = true, KeepAlivePeriod = 60,
            RequestProblemInformation = true }).ToArray();
        var p = new MqttConnect { ClientId = "client-1", KeepAliveSeconds = 60 };
        var ours = new byte[MqttConnectEncoder.GetSize(p)];
        MqttConnectEncoder.Write(ours, p);
        Assert.Equal(Convert.ToHexString(theirs), Convert.ToHexString(ours));
    }

    [Fact]
    public void OurDecoderReadsMqttNetsConnectAndConnAck()
    {
        var connect = Formatter().Encode(new MqttConnectPacket
        {
            ClientId = "from-mqttnet", CleanSession = true, KeepAlivePeriod = 10, SessionExpiryInterval = 99, ReceiveMaximum = 3,
            UserProperties = [new MqttUserProperty("k", Encoding.UTF8.GetBytes("v"))], AuthenticationMethod = null,
        }).ToArray();
        Assert.Equal(MqttDecodeStatus.Ok, MqttFrame.TryRead(connect, 1 << 20, out var h, out _));
        Assert.Equal(MqttReasonCode.Success, MqttConnectDecoder.Decode(MqttFrame.Body(connect, h), out var info));
        Assert.Equal("from-mqttnet", info!.ClientId);
        Assert.Equal(99u, info.SessionExpiryInterval);
        Assert.Equal(3, info.ReceiveMaximum);

        var connack = Formatter().Encode(new MqttConnAckPacket
        {
            ReasonCode = MqttConnectReasonCode.Success, IsSessionPresent = true, ServerKeepAlive = 30, AssignedClientIdentifier = "x",
            MaximumQoS = MqttQualityOfServiceLevel.AtLeastOnce, RetainAvailable = true, ReasonString = "hello",
        }).ToArray();
        Assert.Equal(MqttDecodeStatus.Ok, MqttConnAckDecoder.TryDecode(connack, out var ack, out var used, out _));
        Assert.Equal(connack.Length, used);
        Assert.True(ack.SessionPresent);
        Assert.Equal((ushort)30, ack.ServerKeepAlive);
        Assert.True(ack.HasAssignedClientIdentifier);
    }

    [Fact]
    public void MqttNetDecodesOurConnAck()
    {
        var buf = new byte[MqttConnAckEncoder.GetSize(3)];
        MqttConnAckEncoder.Write(buf, MqttReasonCode.Success, assignedClientId: "abc"u8);
        var a = Assert.IsType<MqttConnAckPacket>(DecodeWithMqttNet(buf));
        Assert.Equal(MqttConnectReasonCode.Success, a.ReasonCode);
        Assert.Equal("abc", a.AssignedClientIdentifier);

        var refused = new byte[MqttConnAckEncoder.GetSize()];
        MqttConnAckEncoder.Write(refused, MqttReasonCode.NotAuthorized);
        Assert.Equal(MqttConnectReasonCode.NotAuthorized, Assert.IsType<MqttConnAckPacket>(DecodeWithMqttNet(refused)).ReasonCode);
    }
}
