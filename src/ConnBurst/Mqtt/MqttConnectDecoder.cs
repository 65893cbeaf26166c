using System.Text;

namespace ConnBurst.Mqtt;

/// <summary>
/// Decodes a CONNECT body (after <see cref="MqttFrame"/>), v5 (level 5) or 3.1.1 (level 4, no properties), and returns the
/// reason code a server puts in its CONNACK: Success, MalformedPacket, ProtocolError, UnsupportedProtocolVersion or
/// ClientIdentifierNotValid (a 3.1.1 CONNACK carries the matching return code, see <see cref="MqttConnAckEncoder"/>).
/// <paramref name="level"/> is the protocol level read, so a refusal can be answered in the client's version. Never throws.
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

    public static MqttReasonCode Decode(ReadOnlySpan<byte> body, out MqttConnectInfo? info) => Decode(body, out info, out _);

    public static MqttReasonCode Decode(ReadOnlySpan<byte> body, out MqttConnectInfo? info, out byte level)
    {
        info = null;
        level = 0;
        var r = new MqttReader(body);
        if (!r.Binary(out var name)) return MqttReasonCode.MalformedPacket;
        if (!r.Byte(out level)) return MqttReasonCode.MalformedPacket;
        // [MQTT-3.1.2-1], [MQTT-3.1.2-2] (both versions): "MQTT" at level 5 or 4; MQIsdp (3.1) and others are refused.
        if (!name.SequenceEqual("MQTT"u8) || level is not ((byte)MqttVersion.V5 or (byte)MqttVersion.V311))
            return MqttReasonCode.UnsupportedProtocolVersion;
        var v5 = level == (byte)MqttVersion.V5;
        if (!r.Byte(out var flags) || !r.UInt16(out var keepAlive)) return MqttReasonCode.MalformedPacket;
        if ((flags & 0x01) != 0) return MqttReasonCode.MalformedPacket; // reserved bit [MQTT-3.1.2-3]
        bool cleanStart = (flags & 0x02) != 0, will = (flags & 0x04) != 0, willRetain = (flags & 0x20) != 0;
        bool hasPassword = (flags & 0x40) != 0, hasUser = (flags & 0x80) != 0;
        var willQoS = (byte)((flags >> 3) & 0x03);
        if (willQoS == 3) return MqttReasonCode.MalformedPacket; // [MQTT-3.1.2-12]
        if (!will && (willQoS != 0 || willRetain)) return MqttReasonCode.MalformedPacket; // [MQTT-3.1.2-11], [MQTT-3.1.2-13]
        if (!v5 && hasPassword && !hasUser) return MqttReasonCode.MalformedPacket; // 3.1.1 only: [MQTT-3.1.2-22]

        uint sessionExpiry = 0, maxPacketSize = 0;
        ushort receiveMax = 65_535;
        bool hasMaxPacketSize = false, hasAuthMethod = false;
        if (v5)
        {
            var rc = ReadConnectProperties(ref r, out sessionExpiry, out receiveMax, out maxPacketSize, out hasMaxPacketSize,
                out hasAuthMethod);
            if (rc != MqttReasonCode.Success) return rc;
        }

        if (!r.String(out var clientId)) return MqttReasonCode.MalformedPacket; // [MQTT-3.1.3-4]
        // v5 [MQTT-3.1.3-8], 3.1.1 [MQTT-3.1.3-8]: an empty id needs a clean start; 3.1.1 answers return code 2.
        if (clientId.IsEmpty && !cleanStart) return MqttReasonCode.ClientIdentifierNotValid;

        string? willTopic = null;
        if (will)
        {
            var utf8Payload = false;
            if (v5)
            {
                var rc = ReadWillProperties(ref r, out utf8Payload);
                if (rc != MqttReasonCode.Success) return rc;
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

    private static MqttReasonCode ReadConnectProperties(ref MqttReader r, out uint sessionExpiry, out ushort receiveMax,
        out uint maxPacketSize,
        out bool hasMaxPacketSize, out bool hasAuthMethod)
    {
        sessionExpiry = 0;
        maxPacketSize = 0;
        receiveMax = 65_535;
        hasMaxPacketSize = false;
        hasAuthMethod = false;
        if (!r.VarInt(out var propsLength) || r.Remaining < propsLength) return MqttReasonCode.MalformedPacket;
        var props = new MqttPropertyReader(r.Rest[..propsLength], ConnectProperties);
        r.Skip(propsLength);
        var hasAuthData = false;
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
        return hasAuthData && !hasAuthMethod ? MqttReasonCode.ProtocolError : MqttReasonCode.Success; // §3.1.2.11.10
    }

    private static MqttReasonCode ReadWillProperties(ref MqttReader r, out bool utf8Payload)
    {
        utf8Payload = false;
        if (!r.VarInt(out var willPropsLength) || r.Remaining < willPropsLength) return MqttReasonCode.MalformedPacket;
        var wp = new MqttPropertyReader(r.Rest[..willPropsLength], WillProperties);
        r.Skip(willPropsLength);
        while (true)
        {
            var rc = wp.Next(out var p, out var done);
            if (rc != MqttReasonCode.Success) return rc;
            if (done) return MqttReasonCode.Success;
            if (p.Id == MqttPropertyIds.PayloadFormatIndicator)
            {
                if (p.Integer > 1) return MqttReasonCode.ProtocolError;
                utf8Payload = p.Integer == 1;
            }
        }
    }
}
