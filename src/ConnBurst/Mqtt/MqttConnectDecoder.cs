using System.Text;

namespace ConnBurst.Mqtt;

/// <summary>
/// Decodes a v5 CONNECT body (after <see cref="MqttFrame"/>) and returns the reason code a server puts in its CONNACK:
/// Success, MalformedPacket, ProtocolError, UnsupportedProtocolVersion or ClientIdentifierNotValid. Never throws.
/// </summary>
internal static class MqttConnectDecoder
{
    private static readonly ulong ConnectProperties = MqttPropertyReader.Mask(
        MqttPropertyIds.SessionExpiryInterval, MqttPropertyIds.ReceiveMaximum, MqttPropertyIds.MaximumPacketSize,
        MqttPropertyIds.TopicAliasMaximum, MqttPropertyIds.RequestResponseInformation, MqttPropertyIds.RequestProblemInformation,
        MqttPropertyIds.UserProperty, MqttPropertyIds.AuthenticationMethod, MqttPropertyIds.AuthenticationData);

    private static readonly ulong WillProperties = MqttPropertyReader.Mask(
        MqttPropertyIds.WillDelayInterval, MqttPropertyIds.PayloadFormatIndicator, MqttPropertyIds.MessageExpiryInterval,
        MqttPropertyIds.ContentType, MqttPropertyIds.ResponseTopic, MqttPropertyIds.CorrelationData, MqttPropertyIds.UserProperty);

    public static MqttReasonCode Decode(ReadOnlySpan<byte> body, out MqttConnectInfo? info)
    {
        info = null;
        var r = new MqttReader(body);
        if (!r.Binary(out var name)) return MqttReasonCode.MalformedPacket;
        if (!r.Byte(out var level)) return MqttReasonCode.MalformedPacket;
        // [MQTT-3.1.2-1], [MQTT-3.1.2-2]: we speak only "MQTT" level 5.
        if (!name.SequenceEqual("MQTT"u8) || level != MqttConstants.ProtocolLevel5) return MqttReasonCode.UnsupportedProtocolVersion;
        if (!r.Byte(out var flags) || !r.UInt16(out var keepAlive)) return MqttReasonCode.MalformedPacket;
        if ((flags & 0x01) != 0) return MqttReasonCode.MalformedPacket; // reserved bit [MQTT-3.1.2-3]
        bool cleanStart = (flags & 0x02) != 0, will = (flags & 0x04) != 0, willRetain = (flags & 0x20) != 0;
        bool hasPassword = (flags & 0x40) != 0, hasUser = (flags & 0x80) != 0;
        var willQoS = (byte)((flags >> 3) & 0x03);
        if (willQoS == 3) return MqttReasonCode.MalformedPacket; // [MQTT-3.1.2-12]
        if (!will && (willQoS != 0 || willRetain)) return MqttReasonCode.MalformedPacket; // [MQTT-3.1.2-11], [MQTT-3.1.2-13]

        if (!r.VarInt(out var propsLength) || r.Remaining < propsLength) return MqttReasonCode.MalformedPacket;
        var props = new MqttPropertyReader(r.Rest[..propsLength], ConnectProperties);
        r.Skip(propsLength);
        uint sessionExpiry = 0, maxPacketSize = 0;
        ushort receiveMax = 65_535;
        bool hasMaxPacketSize = false, hasAuthMethod = false, hasAuthData = false;
        while (true)
        {
            var rc = props.Next(out var p, out var done);
            if (rc != MqttReasonCode.Success) return rc;
            if (done) break;
            switch (p.Id)
            {
                case MqttPropertyIds.SessionExpiryInterval: sessionExpiry = p.Integer; break;
                case MqttPropertyIds.ReceiveMaximum:
                    receiveMax = (ushort)p.Integer;
                    break;
                case MqttPropertyIds.MaximumPacketSize:
                    maxPacketSize = p.Integer;
                    hasMaxPacketSize = true;
                    break;
                case MqttPropertyIds.RequestResponseInformation or MqttPropertyIds.RequestProblemInformation:
                    if (p.Integer > 1) return MqttReasonCode.ProtocolError;
                    break;
                case MqttPropertyIds.AuthenticationMethod: hasAuthMethod = true; break;
                case MqttPropertyIds.AuthenticationData: hasAuthData = true; break;
            }
        }
        if (hasAuthData && !hasAuthMethod) return MqttReasonCode.ProtocolError; // §3.1.2.11.10

        if (!r.String(out var clientId)) return MqttReasonCode.MalformedPacket; // [MQTT-3.1.3-4]
        if (clientId.IsEmpty && !cleanStart) return MqttReasonCode.ClientIdentifierNotValid; // [MQTT-3.1.3-8]

        string? willTopic = null;
        if (will)
        {
            if (!r.VarInt(out var willPropsLength) || r.Remaining < willPropsLength) return MqttReasonCode.MalformedPacket;
            var wp = new MqttPropertyReader(r.Rest[..willPropsLength], WillProperties);
            r.Skip(willPropsLength);
            bool utf8Payload = false;
            while (true)
            {
                var rc = wp.Next(out var p, out var done);
                if (rc != MqttReasonCode.Success) return rc;
                if (done) break;
                if (p.Id == MqttPropertyIds.PayloadFormatIndicator)
                {
                    if (p.Integer > 1) return MqttReasonCode.ProtocolError;
                    utf8Payload = p.Integer == 1;
                }
            }
            if (!r.String(out var topic) || topic.IsEmpty) return MqttReasonCode.MalformedPacket;
            if (!r.Binary(out var payload)) return MqttReasonCode.MalformedPacket;
            if (utf8Payload && !System.Text.Unicode.Utf8.IsValid(payload)) return MqttReasonCode.PayloadFormatInvalid;
            willTopic = Encoding.UTF8.GetString(topic);
        }
        string? user = null;
        if (hasUser)
        {
            if (!r.String(out var u)) return MqttReasonCode.MalformedPacket;
            user = Encoding.UTF8.GetString(u);
        }
        if (hasPassword && !r.Binary(out _)) return MqttReasonCode.MalformedPacket;
        if (!r.AtEnd) return MqttReasonCode.MalformedPacket;

        info = new MqttConnectInfo(level, Encoding.UTF8.GetString(clientId), cleanStart, keepAlive, sessionExpiry, receiveMax,
            hasMaxPacketSize ? maxPacketSize : null, user, hasPassword, willTopic, willQoS, willRetain, hasAuthMethod);
        return MqttReasonCode.Success;
    }
}
