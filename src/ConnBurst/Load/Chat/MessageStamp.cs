using System.Buffers.Text;

namespace ConnBurst.Load.Chat;

/// <summary>
/// What the load test writes at the start of every chat message's text so a receiver can measure it: the sender's
/// client index, the message's sequence number, and its due time on the run's one clock (Stopwatch ticks; every client
/// runs in this process, so sender and receivers read the same clock). Format: <c>c.s.t.</c> in lower-case hex,
/// then 'x' padding up to the requested message size.
/// </summary>
internal readonly record struct MessageStamp(int Client, int Seq, long DueTicks)
{
    /// <summary>Longest stamp: three 16-digit hex numbers and three dots.</summary>
    public const int MaxBytes = 51;

    /// <summary>Writes the stamp and padding into <paramref name="dest"/>; returns the bytes written (at least the stamp).</summary>
    public int Write(Span<byte> dest, int messageSize)
    {
        var at = 0;
        if (!Hex(dest, ref at, Client) || !Hex(dest, ref at, Seq) || !Hex(dest, ref at, DueTicks)) return 0;
        var total = Math.Min(Math.Max(at, messageSize), dest.Length);
        dest[at..total].Fill((byte)'x');
        return total;
    }

    public static bool TryRead(ReadOnlySpan<byte> text, out MessageStamp stamp)
    {
        stamp = default;
        if (!ReadHex(ref text, out var client) || !ReadHex(ref text, out var seq) || !ReadHex(ref text, out var ticks)) return false;
        if (client > int.MaxValue || seq > int.MaxValue) return false;
        stamp = new MessageStamp((int)client, (int)seq, ticks);
        return true;
    }

    private static bool Hex(Span<byte> dest, ref int at, long value)
    {
        if (!Utf8Formatter.TryFormat(value, dest[at..], out var n, new System.Buffers.StandardFormat('x'))) return false;
        at += n;
        if (at >= dest.Length) return false;
        dest[at++] = (byte)'.';
        return true;
    }

    private static bool ReadHex(ref ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        var dot = text.IndexOf((byte)'.');
        if (dot is <= 0 or > 16) return false;
        if (!Utf8Parser.TryParse(text[..dot], out value, out var used, 'x') || used != dot) return false;
        text = text[(dot + 1)..];
        return true;
    }
}
