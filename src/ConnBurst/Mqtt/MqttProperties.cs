namespace ConnBurst.Mqtt;

/// <summary>Property identifiers (§2.2.2.2) and the data type each one carries.</summary>
internal static class MqttPropertyIds
{
    public const byte PayloadFormatIndicator = 0x01, MessageExpiryInterval = 0x02, ContentType = 0x03, ResponseTopic = 0x08,
        CorrelationData = 0x09, SubscriptionIdentifier = 0x0B, SessionExpiryInterval = 0x11, AssignedClientIdentifier = 0x12,
        ServerKeepAlive = 0x13, AuthenticationMethod = 0x15, AuthenticationData = 0x16, RequestProblemInformation = 0x17,
        WillDelayInterval = 0x18, RequestResponseInformation = 0x19, ResponseInformation = 0x1A, ServerReference = 0x1C,
        ReasonString = 0x1F, ReceiveMaximum = 0x21, TopicAliasMaximum = 0x22, TopicAlias = 0x23, MaximumQoS = 0x24,
        RetainAvailable = 0x25, UserProperty = 0x26, MaximumPacketSize = 0x27, WildcardSubscriptionAvailable = 0x28,
        SubscriptionIdentifierAvailable = 0x29, SharedSubscriptionAvailable = 0x2A;

    internal enum Kind : byte { Unknown, Byte, UInt16, UInt32, VarInt, String, Binary, StringPair }

    internal static Kind KindOf(byte id) => id switch
    {
        0x01 or 0x17 or 0x19 or 0x24 or 0x25 or 0x28 or 0x29 or 0x2A => Kind.Byte,
        0x13 or 0x21 or 0x22 or 0x23 => Kind.UInt16,
        0x02 or 0x11 or 0x18 or 0x27 => Kind.UInt32,
        0x0B => Kind.VarInt,
        0x03 or 0x08 or 0x12 or 0x15 or 0x1A or 0x1C or 0x1F => Kind.String,
        0x09 or 0x16 => Kind.Binary,
        0x26 => Kind.StringPair,
        _ => Kind.Unknown,
    };
}

/// <summary>One property as read: its id, its integer value (for integer kinds) or its bytes (for string/binary kinds).</summary>
internal readonly ref struct MqttProperty(byte id, uint integer, ReadOnlySpan<byte> data)
{
    public byte Id { get; } = id;
    public uint Integer { get; } = integer;
    public ReadOnlySpan<byte> Data { get; } = data;
}

/// <summary>
/// Walks a property block (length VBI, then properties). Enforces the type of each known id, refuses unknown ids
/// (MalformedPacket) and duplicates of single-valued ones (ProtocolError, §2.2.2.2), and checks the <paramref name="allowed"/> set
/// for the packet at hand (ProtocolError for a property that does not belong in it).
/// </summary>
internal ref struct MqttPropertyReader
{
    private MqttReader _r;
    private ulong _seen;
    private readonly ulong _allowed;

    /// <param name="allowed">Bit i set when property id i may appear in this packet.</param>
    public MqttPropertyReader(ReadOnlySpan<byte> block, ulong allowed)
    {
        _r = new MqttReader(block);
        _allowed = allowed;
    }

    public static ulong Mask(params ReadOnlySpan<byte> ids)
    {
        ulong m = 0;
        foreach (var id in ids) m |= 1UL << id;
        return m;
    }

    /// <summary>Reads the next property. Returns Success with <paramref name="done"/> at the end of the block.</summary>
    public MqttReasonCode Next(out MqttProperty property, out bool done)
    {
        property = default;
        done = false;
        if (_r.AtEnd) { done = true; return MqttReasonCode.Success; }
        // The identifier is a VBI (§2.2.2.2); every defined one fits in one byte.
        if (!_r.VarInt(out var id)) return MqttReasonCode.MalformedPacket;
        if (id > 63 || MqttPropertyIds.KindOf((byte)id) == MqttPropertyIds.Kind.Unknown) return MqttReasonCode.MalformedPacket;
        var bit = 1UL << id;
        if ((_allowed & bit) == 0) return MqttReasonCode.ProtocolError;
        if (id != MqttPropertyIds.UserProperty && id != MqttPropertyIds.SubscriptionIdentifier)
        {
            if ((_seen & bit) != 0) return MqttReasonCode.ProtocolError;
            _seen |= bit;
        }
        uint integer = 0;
        ReadOnlySpan<byte> data = default;
        bool ok;
        switch (MqttPropertyIds.KindOf((byte)id))
        {
            case MqttPropertyIds.Kind.Byte: ok = _r.Byte(out var b); integer = b; break;
            case MqttPropertyIds.Kind.UInt16: ok = _r.UInt16(out var u16); integer = u16; break;
            case MqttPropertyIds.Kind.UInt32: ok = _r.UInt32(out integer); break;
            case MqttPropertyIds.Kind.VarInt: ok = _r.VarInt(out var vi); integer = (uint)vi; break;
            case MqttPropertyIds.Kind.String: ok = _r.String(out data); break;
            case MqttPropertyIds.Kind.Binary: ok = _r.Binary(out data); break;
            default: ok = _r.String(out data) && _r.String(out _); break; // user property: name then value
        }
        if (!ok) return MqttReasonCode.MalformedPacket;
        // Value rules that hold in every packet carrying the property (CONNECT §3.1.2.11, CONNACK §3.2.2.3).
        if (integer == 0 && id is MqttPropertyIds.ReceiveMaximum or MqttPropertyIds.MaximumPacketSize) return MqttReasonCode.ProtocolError;
        property = new MqttProperty((byte)id, integer, data);
        return MqttReasonCode.Success;
    }
}
