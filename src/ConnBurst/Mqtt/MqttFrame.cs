namespace ConnBurst.Mqtt;

/// <summary>A packet's fixed header (§2.1) as framed from a byte stream.</summary>
internal readonly record struct MqttFrameHeader(MqttPacketType Type, byte Flags, int HeaderLength, int RemainingLength)
{
    public int TotalLength => HeaderLength + RemainingLength;
}

/// <summary>
/// Finds packet boundaries in a byte stream. Pure function over a span: a partial frame is <see cref="MqttDecodeStatus.Incomplete"/>
/// (keep the bytes, read more), a bad header is Invalid with the reason to close with.
/// </summary>
internal static class MqttFrame
{
    /// <param name="maxPacketSize">The largest whole packet accepted; larger ones are refused as soon as their length is known,
    /// before their body is buffered (PacketTooLarge, §3.1.2.11.4).</param>
    public static MqttDecodeStatus TryRead(ReadOnlySpan<byte> buffer, int maxPacketSize, out MqttFrameHeader header,
        out MqttReasonCode reason)
    {
        header = default;
        reason = MqttReasonCode.Success;
        if (buffer.IsEmpty) return MqttDecodeStatus.Incomplete;
        var first = buffer[0];
        var type = (MqttPacketType)(first >> 4);
        var flags = (byte)(first & 0x0F);
        if (type == 0 || !FlagsValid(type, flags))
        {
            reason = MqttReasonCode.MalformedPacket; // [MQTT-2.1.3-1]; type 0 is reserved
            return MqttDecodeStatus.Invalid;
        }
        var status = VariableByteInteger.TryRead(buffer[1..], out var remaining, out var used);
        if (status == MqttDecodeStatus.Incomplete) return status;
        if (status == MqttDecodeStatus.Invalid)
        {
            reason = MqttReasonCode.MalformedPacket;
            return status;
        }
        header = new MqttFrameHeader(type, flags, 1 + used, remaining);
        if (header.TotalLength > maxPacketSize)
        {
            reason = MqttReasonCode.PacketTooLarge;
            return MqttDecodeStatus.Invalid;
        }
        return buffer.Length < header.TotalLength ? MqttDecodeStatus.Incomplete : MqttDecodeStatus.Ok;
    }

    /// <summary>The body of a framed packet (the bytes after its fixed header).</summary>
    public static ReadOnlySpan<byte> Body(ReadOnlySpan<byte> buffer, in MqttFrameHeader header) =>
        buffer.Slice(header.HeaderLength, header.RemainingLength);

    private static bool FlagsValid(MqttPacketType type, byte flags) => type switch
    {
        MqttPacketType.Publish => true, // DUP/QoS/RETAIN; QoS 3 is checked by the PUBLISH decoder
        MqttPacketType.PubRel or MqttPacketType.Subscribe or MqttPacketType.Unsubscribe => flags == 0b0010,
        _ => flags == 0,
    };
}
