using System.Text;

namespace ConnBurst.Mqtt;

/// <summary>
/// Encodes a CONNECT (v5 §3.1, or 3.1.1 §3.1 with no properties) into exact bytes in one pass over a caller-provided span. Allocates
/// nothing:
/// strings are transcoded straight into the destination. Validate the packet once at the edge (<see cref="MqttConnect.Validate"/>).
/// </summary>
internal static class MqttConnectEncoder
{
    /// <summary>Total bytes <see cref="Write"/> produces for <paramref name="p"/>.</summary>
    public static int GetSize(MqttConnect p)
    {
        var remaining = RemainingLength(p, out _);
        return 1 + VariableByteInteger.SizeOf(remaining) + remaining;
    }

    /// <summary>Writes the packet at the start of <paramref name="destination"/> and returns its length.</summary>
    /// <exception cref="ArgumentException">The destination is smaller than <see cref="GetSize"/> (a caller bug).</exception>
    public static int Write(Span<byte> destination, MqttConnect p)
    {
        var remaining = RemainingLength(p, out var propertiesLength);
        var total = 1 + VariableByteInteger.SizeOf(remaining) + remaining;
        if (destination.Length < total)
            throw new ArgumentException($"CONNECT needs {total} bytes, the span has {destination.Length}", nameof(destination));

        var w = new MqttWriter(destination);
        w.Byte((byte)MqttPacketType.Connect << 4);
        w.VarInt(remaining);
        // Variable header (§3.1.2): protocol name "MQTT", level 5 or 4, connect flags, keep alive, properties (v5 only).
        w.Byte(0); w.Byte(4); w.Byte((byte)'M'); w.Byte((byte)'Q'); w.Byte((byte)'T'); w.Byte((byte)'T');
        w.Byte((byte)p.Version);
        w.Byte(Flags(p));
        w.UInt16(p.KeepAliveSeconds);
        var v5 = p.Version == MqttVersion.V5;
        if (v5)
        {
            w.VarInt(propertiesLength);
            if (p.SessionExpiryInterval != 0) { w.Byte(MqttPropertyIds.SessionExpiryInterval); w.UInt32(p.SessionExpiryInterval); }
            if (p.ReceiveMaximum is { } rm) { w.Byte(MqttPropertyIds.ReceiveMaximum); w.UInt16(rm); }
            if (p.MaximumPacketSize is { } mps) { w.Byte(MqttPropertyIds.MaximumPacketSize); w.UInt32(mps); }
        }
        // Payload (§3.1.3): client id, [will properties, will topic, will payload], [user name], [password].
        w.String(p.ClientId);
        if (p.WillTopic is not null)
        {
            if (v5) w.VarInt(0); // will properties: none
            w.String(p.WillTopic);
            w.Binary(p.WillPayload.Span);
        }
        if (p.UserName is not null) w.String(p.UserName);
        if (p.Password is { } pw) w.Binary(pw.Span);
        return w.Position;
    }

    private static byte Flags(MqttConnect p)
    {
        int f = 0;
        if (p.CleanStart) f |= 0x02;
        if (p.WillTopic is not null) f |= 0x04 | (p.WillQoS << 3) | (p.WillRetain ? 0x20 : 0);
        if (p.Password is not null) f |= 0x40;
        if (p.UserName is not null) f |= 0x80;
        return (byte)f;
    }

    private static int RemainingLength(MqttConnect p, out int propertiesLength)
    {
        var v5 = p.Version == MqttVersion.V5;
        propertiesLength = (p.SessionExpiryInterval != 0 ? 5 : 0) + (p.ReceiveMaximum is null ? 0 : 3)
            + (p.MaximumPacketSize is null ? 0 : 5);
        var variableHeader = 6 + 1 + 1 + 2 + (v5 ? VariableByteInteger.SizeOf(propertiesLength) + propertiesLength : 0);
        var payload = 2 + Encoding.UTF8.GetByteCount(p.ClientId);
        if (p.WillTopic is not null) payload += (v5 ? 1 : 0) + 2 + Encoding.UTF8.GetByteCount(p.WillTopic) + 2 + p.WillPayload.Length;
        if (p.UserName is not null) payload += 2 + Encoding.UTF8.GetByteCount(p.UserName);
        if (p.Password is { } pw) payload += 2 + pw.Length;
        return variableHeader + payload;
    }
}
