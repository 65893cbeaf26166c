namespace ConnBurst.Mqtt;

/// <summary>
/// The Variable Byte Integer (§1.5.5): 7 bits per byte, low group first, continuation in bit 7, at most 4 bytes,
/// values 0..268,435,455. The decoder also refuses non-minimal encodings ([MQTT-1.5.5-1]: the minimum number of bytes).
/// </summary>
internal static class VariableByteInteger
{
    public const int MaxValue = 268_435_455;

    public static int SizeOf(int value) => value switch
    {
        < 0 => throw new ArgumentOutOfRangeException(nameof(value)),
        < 128 => 1,
        < 16_384 => 2,
        < 2_097_152 => 3,
        <= MaxValue => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    /// <summary>Writes <paramref name="value"/>; the caller guarantees room (<see cref="SizeOf"/>). Returns bytes written.</summary>
    public static int Write(Span<byte> destination, int value)
    {
        int i = 0;
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            if (value > 0) b |= 0x80;
            destination[i++] = b;
        } while (value > 0);
        return i;
    }

    /// <summary>Reads one VBI from the start of <paramref name="source"/>.</summary>
    /// <returns><see cref="MqttDecodeStatus.Incomplete"/> when the bytes end mid-number; Invalid for 5+ bytes or a non-minimal
    /// form.</returns>
    public static MqttDecodeStatus TryRead(ReadOnlySpan<byte> source, out int value, out int consumed)
    {
        value = 0;
        consumed = 0;
        int multiplier = 0;
        for (int i = 0; i < 4; i++)
        {
            if (i >= source.Length) return MqttDecodeStatus.Incomplete;
            var b = source[i];
            value |= (b & 0x7F) << multiplier;
            if ((b & 0x80) == 0)
            {
                // A trailing zero group after the first byte means a longer-than-needed encoding.
                if (i > 0 && b == 0) { value = 0; return MqttDecodeStatus.Invalid; }
                consumed = i + 1;
                return MqttDecodeStatus.Ok;
            }
            multiplier += 7;
        }
        value = 0;
        return MqttDecodeStatus.Invalid;
    }
}
