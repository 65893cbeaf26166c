namespace ConnBurst.Mqtt;

/// <summary>
/// Decoders for the packets a client may send after CONNECT that a connection-benchmark broker must survive:
/// PUBLISH, PUBREL, SUBSCRIBE and UNSUBSCRIBE (§3.3, §3.6, §3.8, §3.10). They validate fully and return only what the
/// broker needs to answer (QoS, packet identifier, number of filters). Never throw, never allocate. MQTT 3.1.1 packets are
/// the same with no properties and no reason codes; the version is the connection's (from its CONNECT).
/// </summary>
internal static class MqttClientPackets
{
    private static readonly ulong PublishProperties = MqttPropertyReader.Mask(
        MqttPropertyIds.PayloadFormatIndicator, MqttPropertyIds.MessageExpiryInterval, MqttPropertyIds.TopicAlias,
        MqttPropertyIds.ResponseTopic, MqttPropertyIds.CorrelationData, MqttPropertyIds.UserProperty, MqttPropertyIds.ContentType);
    private static readonly ulong SubscribeProperties = MqttPropertyReader.Mask(MqttPropertyIds.SubscriptionIdentifier,
        MqttPropertyIds.UserProperty);
    private static readonly ulong UserPropertiesOnly = MqttPropertyReader.Mask(MqttPropertyIds.UserProperty);
    private static readonly ulong AckProperties = MqttPropertyReader.Mask(MqttPropertyIds.ReasonString, MqttPropertyIds.UserProperty);

    /// <param name="flags">The fixed header's low nibble (DUP, QoS, RETAIN).</param>
    public static MqttReasonCode DecodePublish(byte flags, ReadOnlySpan<byte> body, out byte qos, out ushort packetId,
        MqttVersion version = MqttVersion.V5)
    {
        packetId = 0;
        qos = (byte)((flags >> 1) & 0x03);
        if (qos == 3) return MqttReasonCode.MalformedPacket; // [MQTT-3.3.1-4]
        if (qos == 0 && (flags & 0x08) != 0) return MqttReasonCode.MalformedPacket; // DUP with QoS 0 [MQTT-3.3.1-2]
        var r = new MqttReader(body);
        if (!r.String(out var topic)) return MqttReasonCode.MalformedPacket;
        if (topic.IndexOfAny((byte)'+', (byte)'#') >= 0) return MqttReasonCode.TopicNameInvalid; // [MQTT-3.3.2-2]
        if (qos > 0 && (!r.UInt16(out packetId) || packetId == 0)) return MqttReasonCode.MalformedPacket;
        if (version == MqttVersion.V311) return topic.IsEmpty ? MqttReasonCode.MalformedPacket : MqttReasonCode.Success; // [MQTT-4.7.3-1]
        var rc = SkipProperties(ref r, PublishProperties, out var topicAlias);
        if (rc != MqttReasonCode.Success) return rc;
        // We advertise no Topic Alias Maximum (0), so any alias is invalid [MQTT-3.3.2-9]; and then a topic is required.
        if (topicAlias) return MqttReasonCode.TopicAliasInvalid;
        if (topic.IsEmpty) return MqttReasonCode.ProtocolError;
        return MqttReasonCode.Success; // the rest is payload, any bytes
    }

    public static MqttReasonCode DecodePubRel(ReadOnlySpan<byte> body, out ushort packetId, MqttVersion version = MqttVersion.V5) =>
        DecodeAck(body, out packetId, version);

    /// <summary>PUBACK/PUBREC/PUBREL/PUBCOMP shape: packet id, then (v5 only) an optional reason and optional properties.</summary>
    public static MqttReasonCode DecodeAck(ReadOnlySpan<byte> body, out ushort packetId, MqttVersion version = MqttVersion.V5)
    {
        var r = new MqttReader(body);
        if (!r.UInt16(out packetId) || packetId == 0) return MqttReasonCode.MalformedPacket;
        if (r.AtEnd) return MqttReasonCode.Success;
        if (version == MqttVersion.V311) return MqttReasonCode.MalformedPacket; // remaining length is exactly 2
        r.Byte(out _);
        if (r.AtEnd) return MqttReasonCode.Success;
        var rc = SkipProperties(ref r, AckProperties, out _);
        if (rc != MqttReasonCode.Success) return rc;
        return r.AtEnd ? MqttReasonCode.Success : MqttReasonCode.MalformedPacket;
    }

    public static MqttReasonCode DecodeSubscribe(ReadOnlySpan<byte> body, out ushort packetId, out int filters,
        MqttVersion version = MqttVersion.V5) =>
        DecodeFilters(body, withOptions: true, version, out packetId, out filters);

    public static MqttReasonCode DecodeUnsubscribe(ReadOnlySpan<byte> body, out ushort packetId, out int filters,
        MqttVersion version = MqttVersion.V5) =>
        DecodeFilters(body, withOptions: false, version, out packetId, out filters);

    private static MqttReasonCode DecodeFilters(ReadOnlySpan<byte> body, bool withOptions, MqttVersion version, out ushort packetId,
        out int filters)
    {
        filters = 0;
        var r = new MqttReader(body);
        if (!r.UInt16(out packetId) || packetId == 0) return MqttReasonCode.MalformedPacket;
        var v5 = version == MqttVersion.V5;
        if (v5)
        {
            var rc = SkipProperties(ref r, withOptions ? SubscribeProperties : UserPropertiesOnly, out _);
            if (rc != MqttReasonCode.Success) return rc;
        }
        while (!r.AtEnd)
        {
            if (!r.String(out var filter) || filter.IsEmpty) return MqttReasonCode.MalformedPacket; // [MQTT-4.7.3-1]
            if (withOptions)
            {
                if (!r.Byte(out var options)) return MqttReasonCode.MalformedPacket;
                // Reserved bits, QoS 3 and Retain Handling 3 are malformed [MQTT-3.8.3-5], §3.8.3.1; in 3.1.1 only the QoS
                // bits exist [MQTT-3-8.3-4].
                var reserved = v5 ? (options & 0xC0) != 0 || ((options >> 4) & 0x03) == 3 : (options & 0xFC) != 0;
                if (reserved || (options & 0x03) == 3) return MqttReasonCode.MalformedPacket;
            }
            filters++;
        }
        return filters == 0 ? MqttReasonCode.ProtocolError : MqttReasonCode.Success; // [MQTT-3.8.3-2], [MQTT-3.10.3-2]
    }

    private static MqttReasonCode SkipProperties(ref MqttReader r, ulong allowed, out bool sawTopicAlias)
    {
        sawTopicAlias = false;
        if (!r.VarInt(out var length) || r.Remaining < length) return MqttReasonCode.MalformedPacket;
        var props = new MqttPropertyReader(r.Rest[..length], allowed);
        r.Skip(length);
        while (true)
        {
            var rc = props.Next(out var p, out var done);
            if (rc != MqttReasonCode.Success) return rc;
            if (done) return MqttReasonCode.Success;
            if (p.Id == MqttPropertyIds.TopicAlias) sawTopicAlias = true;
            if (p.Id == MqttPropertyIds.PayloadFormatIndicator && p.Integer > 1) return MqttReasonCode.ProtocolError;
            if (p.Id == MqttPropertyIds.SubscriptionIdentifier && p.Integer == 0) return MqttReasonCode.ProtocolError;
        }
    }
}

/// <summary>Encoders for the broker's answers: PUBACK, PUBREC, PUBCOMP, SUBACK, UNSUBACK, in v5 or 3.1.1 form. No allocation.</summary>
internal static class MqttServerAcks
{
    public const int AckSize = 5;

    /// <summary>
    /// PUBACK/PUBREC/PUBCOMP: v5 with a reason and no properties, <c>T0 03 PID PID RC</c>; 3.1.1 has no reason,
    /// <c>T0 02 PID PID</c>.
    /// </summary>
    public static int WriteAck(Span<byte> destination, MqttPacketType type, ushort packetId, MqttReasonCode reason,
        MqttVersion version = MqttVersion.V5)
    {
        var v5 = version == MqttVersion.V5;
        destination[0] = (byte)((byte)type << 4);
        destination[1] = (byte)(v5 ? 3 : 2);
        destination[2] = (byte)(packetId >> 8);
        destination[3] = (byte)packetId;
        if (!v5) return 4;
        destination[4] = (byte)reason;
        return 5;
    }

    /// <summary>Bytes a SUBACK/UNSUBACK for <paramref name="filters"/> filters takes.</summary>
    public static int GetSubAckSize(int filters, MqttVersion version = MqttVersion.V5)
    {
        var remaining = RemainingLength(MqttPacketType.SubAck, filters, version);
        return 1 + VariableByteInteger.SizeOf(remaining) + remaining;
    }

    /// <summary>
    /// SUBACK or UNSUBACK with the same reason for every filter. In 3.1.1 a refused subscription's return code is 0x80
    /// (Failure, 3.1.1 §3.9.3) whatever the v5 reason, and UNSUBACK carries no payload.
    /// </summary>
    public static int WriteSubAck(Span<byte> destination, MqttPacketType type, ushort packetId, int filters, MqttReasonCode reason,
        MqttVersion version = MqttVersion.V5)
    {
        var v5 = version == MqttVersion.V5;
        var w = new MqttWriter(destination);
        w.Byte((byte)((byte)type << 4));
        w.VarInt(RemainingLength(type, filters, version));
        w.UInt16(packetId);
        if (v5) w.VarInt(0);
        if (!v5 && type == MqttPacketType.UnsubAck) return w.Position;
        var code = v5 || (byte)reason < 0x80 ? (byte)reason : (byte)0x80;
        for (int i = 0; i < filters; i++) w.Byte(code);
        return w.Position;
    }

    private static int RemainingLength(MqttPacketType type, int filters, MqttVersion version) => version == MqttVersion.V5
        ? 2 + 1 + filters
        : type == MqttPacketType.UnsubAck ? 2 : 2 + filters;
}
