using System.Buffers.Binary;
using System.Text.Unicode;

namespace ConnBurst.Mqtt;

/// <summary>
/// Reads MQTT data types (§1.5) from one packet's body. Every method returns false instead of throwing when the
/// field would run past the body or breaks its rule, so a decoder turns any false into MalformedPacket.
/// </summary>
internal ref struct MqttReader(ReadOnlySpan<byte> body)
{
    private readonly ReadOnlySpan<byte> _body = body;
    public int Position { get; private set; }

    public readonly int Remaining => _body.Length - Position;
    public readonly bool AtEnd => Position == _body.Length;

    public bool Byte(out byte value)
    {
        value = 0;
        if (Remaining < 1) return false;
        value = _body[Position++];
        return true;
    }

    public bool UInt16(out ushort value)
    {
        value = 0;
        if (Remaining < 2) return false;
        value = BinaryPrimitives.ReadUInt16BigEndian(_body[Position..]);
        Position += 2;
        return true;
    }

    public bool UInt32(out uint value)
    {
        value = 0;
        if (Remaining < 4) return false;
        value = BinaryPrimitives.ReadUInt32BigEndian(_body[Position..]);
        Position += 4;
        return true;
    }

    public bool VarInt(out int value)
    {
        var status = VariableByteInteger.TryRead(_body[Position..], out value, out var used);
        if (status != MqttDecodeStatus.Ok) return false; // Incomplete inside a complete frame is malformed too
        Position += used;
        return true;
    }

    /// <summary>Two-byte length then bytes (§1.5.6).</summary>
    public bool Binary(out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!UInt16(out var len) || Remaining < len) return false;
        value = _body.Slice(Position, len);
        Position += len;
        return true;
    }

    /// <summary>A UTF-8 Encoded String (§1.5.4): well-formed, no surrogates [MQTT-1.5.4-1], no U+0000 [MQTT-1.5.4-2].</summary>
    public bool String(out ReadOnlySpan<byte> utf8)
    {
        if (!Binary(out utf8)) return false;
        return MqttStrings.IsValid(utf8);
    }

    public bool Skip(int count)
    {
        if (count < 0 || Remaining < count) return false;
        Position += count;
        return true;
    }

    public readonly ReadOnlySpan<byte> Rest => _body[Position..];
}

/// <summary>The UTF-8 string rules of §1.5.4.</summary>
internal static class MqttStrings
{
    public const int MaxBytes = 65_535;

    /// <summary>Well-formed UTF-8 (which excludes encoded surrogates) with no U+0000 and at most 65,535 bytes.</summary>
    public static bool IsValid(ReadOnlySpan<byte> utf8) =>
        utf8.Length <= MaxBytes && utf8.IndexOf((byte)0) < 0 && Utf8.IsValid(utf8);

    /// <summary>Null when <paramref name="s"/> is a legal MQTT string, else why not (for edge validation of options).</summary>
    public static string? Check(string s, string what)
    {
        if (s.Contains('\0')) return $"{what} contains U+0000, which MQTT forbids [MQTT-1.5.4-2]";
        if (HasLoneSurrogate(s)) return $"{what} is not valid Unicode (a lone surrogate) [MQTT-1.5.4-1]";
        var n = System.Text.Encoding.UTF8.GetByteCount(s);
        return n > MaxBytes ? $"{what} is {n} bytes of UTF-8; MQTT strings hold at most {MaxBytes}" : null;
    }

    private static bool HasLoneSurrogate(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(s[i])) return true;
        }
        return false;
    }
}

/// <summary>Writes MQTT data types into a span the caller sized exactly. No allocation.</summary>
internal ref struct MqttWriter(Span<byte> destination)
{
    private readonly Span<byte> _dest = destination;
    public int Position { get; private set; }

    public void Byte(byte b) => _dest[Position++] = b;

    public void UInt16(ushort v)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_dest[Position..], v);
        Position += 2;
    }

    public void UInt32(uint v)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_dest[Position..], v);
        Position += 4;
    }

    public void VarInt(int v) => Position += VariableByteInteger.Write(_dest[Position..], v);

    public void String(string s)
    {
        var n = System.Text.Encoding.UTF8.GetBytes(s, _dest[(Position + 2)..]);
        UInt16((ushort)n);
        Position += n;
    }

    public void Binary(ReadOnlySpan<byte> data)
    {
        UInt16((ushort)data.Length);
        data.CopyTo(_dest[Position..]);
        Position += data.Length;
    }
}
