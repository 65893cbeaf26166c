namespace ConnBurst.Mqtt;

/// <summary>
/// What a CONNACK (§3.2) tells the client. No strings, so decoding it allocates nothing. <see cref="ReasonCode"/> is in v5
/// terms for both versions (a 3.1.1 return code maps to the v5 code of the same meaning); <see cref="WireCode"/> is the
/// byte the server sent, which is what a failure is named by.
/// </summary>
internal readonly record struct MqttConnAck(
    bool SessionPresent, MqttReasonCode ReasonCode, ushort? ServerKeepAlive, ushort ReceiveMaximum, uint? MaximumPacketSize,
    byte MaximumQoS, bool HasAssignedClientIdentifier, byte WireCode);

/// <summary>
/// MQTT 3.1.1's six CONNACK return codes (3.1.1 §3.2.2.3) and the v5 reason codes of the same meaning (v5 §3.2.2.2 lists
/// them in the same order, 0x84-0x87, and 0x88 "server unavailable").
/// </summary>
internal static class MqttReturnCodes311
{
    public static MqttReasonCode ToReason(byte returnCode) => returnCode switch
    {
        0 => MqttReasonCode.Success,
        1 => MqttReasonCode.UnsupportedProtocolVersion,
        2 => MqttReasonCode.ClientIdentifierNotValid,
        3 => MqttReasonCode.ServerUnavailable,
        4 => MqttReasonCode.BadUserNameOrPassword,
        _ => MqttReasonCode.NotAuthorized,
    };

    /// <summary>The return code for a refusal, or null when 3.1.1 has none: the server then closes without CONNACK (3.1.1 §4.8).</summary>
    public static byte? FromReason(MqttReasonCode reason) => reason switch
    {
        MqttReasonCode.Success => 0,
        MqttReasonCode.UnsupportedProtocolVersion => 1,
        MqttReasonCode.ClientIdentifierNotValid => 2,
        MqttReasonCode.ServerUnavailable or MqttReasonCode.ServerBusy or MqttReasonCode.ServerShuttingDown => 3,
        MqttReasonCode.BadUserNameOrPassword => 4,
        MqttReasonCode.NotAuthorized or MqttReasonCode.Banned or MqttReasonCode.BadAuthenticationMethod => 5,
        _ => null,
    };
}

/// <summary>Encodes CONNACK into a span (server side). No allocation.</summary>
internal static class MqttConnAckEncoder
{
    /// <summary>CONNACK Success, no session present, no properties: <c>20 03 00 00 00</c>.</summary>
    public static ReadOnlySpan<byte> Success => [0x20, 0x03, 0x00, 0x00, 0x00];

    /// <summary>MQTT 3.1.1 CONNACK accepted, no session present: <c>20 02 00 00</c>.</summary>
    public static ReadOnlySpan<byte> Success311 => [0x20, 0x02, 0x00, 0x00];

    /// <summary>
    /// A 3.1.1 CONNACK refusing with <paramref name="reason"/>'s return code (4 bytes), or 0 bytes when 3.1.1 has no code
    /// for it (a malformed CONNECT): the server then closes without a CONNACK.
    /// </summary>
    public static int Write311(Span<byte> destination, MqttReasonCode reason)
    {
        if (MqttReturnCodes311.FromReason(reason) is not { } code) return 0;
        destination[0] = 0x20;
        destination[1] = 2;
        destination[2] = 0;
        destination[3] = code;
        return 4;
    }

    /// <summary>Bytes <see cref="Write"/> needs with an assigned client identifier of <paramref name="assignedIdLength"/> UTF-8 bytes (or
    /// none).</summary>
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
    public static int Write(Span<byte> destination, MqttReasonCode reason, bool sessionPresent = false,
        ReadOnlySpan<byte> assignedClientId = default)
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
    /// says why (MalformedPacket, ProtocolError when the first packet is not a CONNACK, PacketTooLarge past
    /// <paramref name="maxPacketSize"/>).
    /// </summary>
    public static MqttDecodeStatus TryDecode(ReadOnlySpan<byte> buffer, out MqttConnAck ack, out int consumed, out MqttReasonCode reason,
        int maxPacketSize = 64 * 1024, MqttVersion version = MqttVersion.V5)
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
        reason = DecodeBody(MqttFrame.Body(buffer, header), out ack, version);
        if (reason != MqttReasonCode.Success) return MqttDecodeStatus.Invalid;
        consumed = header.TotalLength;
        return MqttDecodeStatus.Ok;
    }

    /// <summary>Decodes a CONNACK body; returns Success or the violation.</summary>
    public static MqttReasonCode DecodeBody(ReadOnlySpan<byte> body, out MqttConnAck ack, MqttVersion version = MqttVersion.V5)
    {
        if (version == MqttVersion.V311) return DecodeBody311(body, out ack);
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
        ack = new MqttConnAck((flags & 1) != 0, code, keepAlive, receiveMax, maxPacket, maxQoS, assigned, rc);
        return MqttReasonCode.Success;
    }

    /// <summary>3.1.1 §3.2: exactly two bytes, flags then a return code 0-5 (6-255 are reserved).</summary>
    private static MqttReasonCode DecodeBody311(ReadOnlySpan<byte> body, out MqttConnAck ack)
    {
        ack = default;
        if (body.Length != 2) return MqttReasonCode.MalformedPacket; // remaining length is 2 (3.1.1 §3.2.1)
        byte flags = body[0], rc = body[1];
        if ((flags & 0xFE) != 0 || rc > 5) return MqttReasonCode.MalformedPacket; // reserved bits and codes
        if ((flags & 1) != 0 && rc != 0) return MqttReasonCode.ProtocolError; // [MQTT-3.2.2-4]
        ack = new MqttConnAck((flags & 1) != 0, MqttReturnCodes311.ToReason(rc), null, 65_535, null, 2, false, rc);
        return MqttReasonCode.Success;
    }

    private static bool IsConnAckReason(MqttReasonCode c) => (byte)c switch
    {
        0x00 or (>= 0x80 and <= 0x8A) or 0x8C or 0x90 or 0x95 or 0x97 or 0x99 or 0x9A or 0x9B or 0x9C or 0x9D or 0x9F => true,
        _ => false,
    };
}
