namespace ConnBurst.Mqtt;

/// <summary>What a CONNACK (§3.2) tells the client. No strings, so decoding it allocates nothing.</summary>
internal readonly record struct MqttConnAck(
    bool SessionPresent, MqttReasonCode ReasonCode, ushort? ServerKeepAlive, ushort ReceiveMaximum, uint? MaximumPacketSize,
    byte MaximumQoS, bool HasAssignedClientIdentifier);

/// <summary>Encodes CONNACK into a span (server side). No allocation.</summary>
internal static class MqttConnAckEncoder
{
    /// <summary>CONNACK Success, no session present, no properties: <c>20 03 00 00 00</c>.</summary>
    public static ReadOnlySpan<byte> Success => [0x20, 0x03, 0x00, 0x00, 0x00];

    /// <summary>Bytes <see cref="Write"/> needs with an assigned client identifier of <paramref name="assignedIdLength"/> UTF-8 bytes (or none).</summary>
    public static int GetSize(int assignedIdLength = -1)
    {
        var props = assignedIdLength < 0 ? 0 : 1 + 2 + assignedIdLength;
        var remaining = 2 + VariableByteInteger.SizeOf(props) + props;
        return 1 + VariableByteInteger.SizeOf(remaining) + remaining;
    }

    /// <summary>
    /// Writes a CONNACK. <paramref name="assignedClientId"/> (ASCII/UTF-8 bytes) is sent as the Assigned Client Identifier
    /// property when not empty: required when the client connected with an empty client id [MQTT-3.2.2-16].
    /// </summary>
    public static int Write(Span<byte> destination, MqttReasonCode reason, bool sessionPresent = false, ReadOnlySpan<byte> assignedClientId = default)
    {
        var props = assignedClientId.IsEmpty ? 0 : 1 + 2 + assignedClientId.Length;
        var remaining = 2 + VariableByteInteger.SizeOf(props) + props;
        var w = new MqttWriter(destination);
        w.Byte((byte)MqttPacketType.ConnAck << 4);
        w.VarInt(remaining);
        // [MQTT-3.2.2-6]: session present is 0 whenever the reason is an error.
        w.Byte((byte)(sessionPresent && reason == MqttReasonCode.Success ? 1 : 0));
        w.Byte((byte)reason);
        w.VarInt(props);
        if (!assignedClientId.IsEmpty)
        {
            w.Byte(MqttPropertyIds.AssignedClientIdentifier);
            w.Binary(assignedClientId);
        }
        return w.Position;
    }
}

/// <summary>Frames and decodes a CONNACK from the client's receive buffer (load-generator side). Never throws, never allocates.</summary>
internal static class MqttConnAckDecoder
{
    private static readonly ulong Allowed = MqttPropertyReader.Mask(
        MqttPropertyIds.SessionExpiryInterval, MqttPropertyIds.ReceiveMaximum, MqttPropertyIds.MaximumQoS, MqttPropertyIds.RetainAvailable,
        MqttPropertyIds.MaximumPacketSize, MqttPropertyIds.AssignedClientIdentifier, MqttPropertyIds.TopicAliasMaximum,
        MqttPropertyIds.ReasonString, MqttPropertyIds.UserProperty, MqttPropertyIds.WildcardSubscriptionAvailable,
        MqttPropertyIds.SubscriptionIdentifierAvailable, MqttPropertyIds.SharedSubscriptionAvailable, MqttPropertyIds.ServerKeepAlive,
        MqttPropertyIds.ResponseInformation, MqttPropertyIds.ServerReference, MqttPropertyIds.AuthenticationMethod,
        MqttPropertyIds.AuthenticationData);

    /// <summary>
    /// Reads one CONNACK from the start of <paramref name="buffer"/>. Incomplete: read more bytes. Invalid: <paramref name="reason"/>
    /// says why (MalformedPacket, ProtocolError when the first packet is not a CONNACK, PacketTooLarge past <paramref name="maxPacketSize"/>).
    /// </summary>
    public static MqttDecodeStatus TryDecode(ReadOnlySpan<byte> buffer, out MqttConnAck ack, out int consumed, out MqttReasonCode reason,
        int maxPacketSize = 64 * 1024)
    {
        ack = default;
        consumed = 0;
        var status = MqttFrame.TryRead(buffer, maxPacketSize, out var header, out reason);
        if (status != MqttDecodeStatus.Ok) return status;
        if (header.Type != MqttPacketType.ConnAck)
        {
            reason = MqttReasonCode.ProtocolError; // the server's first packet must be CONNACK [MQTT-3.2.0-1]
            return MqttDecodeStatus.Invalid;
        }
        reason = DecodeBody(MqttFrame.Body(buffer, header), out ack);
        if (reason != MqttReasonCode.Success) return MqttDecodeStatus.Invalid;
        consumed = header.TotalLength;
        return MqttDecodeStatus.Ok;
    }

    /// <summary>Decodes a CONNACK body; returns Success or the violation.</summary>
    public static MqttReasonCode DecodeBody(ReadOnlySpan<byte> body, out MqttConnAck ack)
    {
        ack = default;
        var r = new MqttReader(body);
        if (!r.Byte(out var flags) || !r.Byte(out var rc)) return MqttReasonCode.MalformedPacket;
        if ((flags & 0xFE) != 0) return MqttReasonCode.MalformedPacket; // [MQTT-3.2.2-1]
        var code = (MqttReasonCode)rc;
        if (!IsConnAckReason(code)) return MqttReasonCode.MalformedPacket;
        if ((flags & 1) != 0 && code != MqttReasonCode.Success) return MqttReasonCode.ProtocolError; // [MQTT-3.2.2-6]
        ushort? keepAlive = null;
        ushort receiveMax = 65_535;
        uint? maxPacket = null;
        byte maxQoS = 2;
        bool assigned = false;
        // Lenient on a bare 2-byte CONNACK (no property length); v5 servers always send one.
        if (!r.AtEnd)
        {
            if (!r.VarInt(out var propsLength) || r.Remaining != propsLength) return MqttReasonCode.MalformedPacket;
            var props = new MqttPropertyReader(r.Rest, Allowed);
            while (true)
            {
                var prc = props.Next(out var p, out var done);
                if (prc != MqttReasonCode.Success) return prc;
                if (done) break;
                switch (p.Id)
                {
                    case MqttPropertyIds.ServerKeepAlive: keepAlive = (ushort)p.Integer; break;
                    case MqttPropertyIds.ReceiveMaximum:
                        receiveMax = (ushort)p.Integer;
                        break;
                    case MqttPropertyIds.MaximumPacketSize:
                        maxPacket = p.Integer;
                        break;
                    case MqttPropertyIds.MaximumQoS:
                        if (p.Integer > 1) return MqttReasonCode.ProtocolError; // only 0 or 1 may be sent
                        maxQoS = (byte)p.Integer;
                        break;
                    case MqttPropertyIds.AssignedClientIdentifier: assigned = true; break;
                    case MqttPropertyIds.RetainAvailable or MqttPropertyIds.WildcardSubscriptionAvailable
                        or MqttPropertyIds.SubscriptionIdentifierAvailable or MqttPropertyIds.SharedSubscriptionAvailable:
                        if (p.Integer > 1) return MqttReasonCode.ProtocolError;
                        break;
                }
            }
        }
        ack = new MqttConnAck((flags & 1) != 0, code, keepAlive, receiveMax, maxPacket, maxQoS, assigned);
        return MqttReasonCode.Success;
    }

    private static bool IsConnAckReason(MqttReasonCode c) => (byte)c switch
    {
        0x00 or (>= 0x80 and <= 0x8A) or 0x8C or 0x90 or 0x95 or 0x97 or 0x99 or 0x9A or 0x9B or 0x9C or 0x9D or 0x9F => true,
        _ => false,
    };
}
