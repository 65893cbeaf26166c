using System.Text;
using ConnBurst.Mqtt;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace ConnBurst.Tests.Mqtt;

/// <summary>Our MQTT 3.1.1 bytes against MQTTnet's 3.1.1 formatter, an implementation nobody here wrote.</summary>
public class Mqtt311CrossCheckTests
{
    private static MqttPacketFormatterAdapter Formatter() => new(MqttProtocolVersion.V311, new MqttBufferWriter(4096, 65536));

    private static byte[] Encode(MqttConnect p)
    {
        Assert.Null(p.Validate());
        var buf = new byte[MqttConnectEncoder.GetSize(p)];
        Assert.Equal(buf.Length, MqttConnectEncoder.Write(buf, p));
        return buf;
    }

    [Fact]
    public void OurConnectBytesEqualMqttNetsForTheBenchmarkShape()
    {
        var theirs = Formatter().Encode(new MqttConnectPacket { ClientId = "client-1", CleanSession = true, KeepAlivePeriod = 60 })
            .ToArray();
        var ours = Encode(new MqttConnect { Version = MqttVersion.V311, ClientId = "client-1", KeepAliveSeconds = 60 });
        Assert.Equal(Convert.ToHexString(theirs), Convert.ToHexString(ours));
        // 3.1.1 §3.1.2: "MQTT", level 4, flags 0x02 (clean session), keepalive 60, no property length.
        Assert.Equal("101400044D5154540402003C0008636C69656E742D31", Convert.ToHexString(ours));
    }

    [Fact]
    public void OurConnectWithWillAndCredentialsEqualsMqttNets()
    {
        var theirs = Formatter().Encode(new MqttConnectPacket
        {
            ClientId = "w", CleanSession = false, KeepAlivePeriod = 5, Username = "u", Password = Encoding.ASCII.GetBytes("pw"),
            WillFlag = true, WillTopic = "t/w", WillMessage = [3], WillQoS = MqttQualityOfServiceLevel.AtLeastOnce, WillRetain = true,
        }).ToArray();
        var ours = Encode(new MqttConnect
        {
            Version = MqttVersion.V311, ClientId = "w", CleanStart = false, KeepAliveSeconds = 5, UserName = "u",
                Password = Encoding.ASCII.GetBytes("pw"),
            WillTopic = "t/w", WillPayload = new byte[] { 3 }, WillQoS = 1, WillRetain = true,
        });
        Assert.Equal(Convert.ToHexString(theirs), Convert.ToHexString(ours));
    }

    [Fact]
    public void OurDecodersReadMqttNetsConnectAndConnAck()
    {
        var connect = Formatter().Encode(new MqttConnectPacket { ClientId = "from-mqttnet", CleanSession = true, KeepAlivePeriod = 10,
            Username = "n" }).ToArray();
        Assert.Equal(MqttDecodeStatus.Ok, MqttFrame.TryRead(connect, 1 << 20, out var h, out _));
        Assert.Equal(MqttReasonCode.Success, MqttConnectDecoder.Decode(MqttFrame.Body(connect, h), out var info, out var level));
        Assert.Equal((byte)4, level);
        Assert.Equal("from-mqttnet", info!.ClientId);
        Assert.Equal("n", info.UserName);

        foreach (var (code, reason) in new[]
        {
            (MqttConnectReturnCode.ConnectionAccepted, MqttReasonCode.Success),
            (MqttConnectReturnCode.ConnectionRefusedIdentifierRejected, MqttReasonCode.ClientIdentifierNotValid),
            (MqttConnectReturnCode.ConnectionRefusedNotAuthorized, MqttReasonCode.NotAuthorized),
        })
        {
            var connack = Formatter().Encode(new MqttConnAckPacket { ReturnCode = code }).ToArray();
            Assert.Equal(MqttDecodeStatus.Ok, MqttConnAckDecoder.TryDecode(connack, out var ack, out var used, out _,
                version: MqttVersion.V311));
            Assert.Equal(connack.Length, used);
            Assert.Equal(reason, ack.ReasonCode);
            Assert.Equal((byte)code, ack.WireCode);
        }
    }

    [Fact]
    public void MqttNetDecodesOurConnAcksAndAcks()
    {
        static MqttPacket Decode(byte[] packet)
        {
            Assert.Equal(MqttDecodeStatus.Ok, MqttFrame.TryRead(packet, 1 << 20, out var h, out _));
            return Formatter().Decode(new ReceivedMqttPacket(packet[0], new ArraySegment<byte>(packet, h.HeaderLength, h.RemainingLength),
                packet.Length));
        }
        var accepted = Assert.IsType<MqttConnAckPacket>(Decode(MqttConnAckEncoder.Success311.ToArray()));
        Assert.Equal(MqttConnectReturnCode.ConnectionAccepted, accepted.ReturnCode);
        var refusal = new byte[4];
        Assert.Equal(4, MqttConnAckEncoder.Write311(refusal, MqttReasonCode.UnsupportedProtocolVersion));
        Assert.Equal(MqttConnectReturnCode.ConnectionRefusedUnacceptableProtocolVersion,
            Assert.IsType<MqttConnAckPacket>(Decode(refusal)).ReturnCode);
        // A malformed CONNECT has no 3.1.1 return code: the server closes without a CONNACK.
        Assert.Equal(0, MqttConnAckEncoder.Write311(refusal, MqttReasonCode.MalformedPacket));

        var puback = new byte[MqttServerAcks.AckSize];
        var n = MqttServerAcks.WriteAck(puback, MqttPacketType.PubAck, 7, MqttReasonCode.NoMatchingSubscribers, MqttVersion.V311);
        Assert.Equal(7, Assert.IsType<MqttPubAckPacket>(Decode(puback[..n])).PacketIdentifier);

        var suback = new byte[MqttServerAcks.GetSubAckSize(2, MqttVersion.V311)];
        MqttServerAcks.WriteSubAck(suback, MqttPacketType.SubAck, 9, 2, MqttReasonCode.ImplementationSpecificError, MqttVersion.V311);
        var s = Assert.IsType<MqttSubAckPacket>(Decode(suback));
        Assert.Equal(9, s.PacketIdentifier);
        Assert.Equal([MqttSubscribeReasonCode.UnspecifiedError, MqttSubscribeReasonCode.UnspecifiedError], s.ReasonCodes);

        var unsuback = new byte[MqttServerAcks.GetSubAckSize(3, MqttVersion.V311)];
        Assert.Equal(4, MqttServerAcks.WriteSubAck(unsuback, MqttPacketType.UnsubAck, 11, 3, MqttReasonCode.NoSubscriptionExisted,
            MqttVersion.V311));
        Assert.Equal(11, Assert.IsType<MqttUnsubAckPacket>(Decode(unsuback)).PacketIdentifier);
    }

    [Theory]
    [InlineData(4, 0x03, "000474657374", "MalformedPacket")] // reserved flag bit set [MQTT-3.1.2-3]
    [InlineData(4, 0x42, "00047465737400017F", "MalformedPacket")] // password without user name [MQTT-3.1.2-22]
    [InlineData(4, 0x00, "0000", "ClientIdentifierNotValid")] // empty id without clean session [MQTT-3.1.3-8]
    [InlineData(3, 0x02, "000474657374", "UnsupportedProtocolVersion")] // level 3 (MQTT 3.1 is "MQIsdp") [MQTT-3.1.2-2]
    [InlineData(4, 0x02, "00047465737400", "MalformedPacket")] // a trailing byte (as if a v5 property length followed the id)
    [InlineData(4, 0x02, "00", "MalformedPacket")] // a v5 property length where 3.1.1 has the client id
    [InlineData(4, 0x02, "000474657374", "Success")]
    public void The311ConnectRulesAreChecked(byte level, byte flags, string payloadHex, string expected)
    {
        // Fixed header, "MQTT", level, flags, keepalive 0, then the payload as given.
        byte[] variable = [0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', level, flags, 0, 0, .. Convert.FromHexString(payloadHex)];
        byte[] packet = [0x10, (byte)variable.Length, .. variable];
        Assert.Equal(MqttDecodeStatus.Ok, MqttFrame.TryRead(packet, 1 << 20, out var h, out _));
        Assert.Equal(expected, MqttConnectDecoder.Decode(MqttFrame.Body(packet, h), out _).ToString());
    }

    [Fact]
    public void ThreeOneOneRefusesV5OnlyFieldsAtTheEdge()
    {
        Assert.Contains("v5 properties", new MqttConnect { Version = MqttVersion.V311, ClientId = "a", ReceiveMaximum = 5 }.Validate());
        Assert.Contains("[MQTT-3.1.2-22]", new MqttConnect { Version = MqttVersion.V311, ClientId = "a", Password = new byte[] { 1 } }
            .Validate());
        Assert.Null(new MqttConnect { ClientId = "a", Password = new byte[] { 1 } }.Validate()); // v5 allows a password alone
    }
}
