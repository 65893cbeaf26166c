using System.Buffers.Text;

namespace ConnBurst.Chat;

/// <summary>
/// Writes chat lines (each ending in LF) into a caller's span and returns the bytes written, or 0 when the span is
/// too small. Pure functions: the caller owns the buffer, and a broadcast line is formatted once for every member.
/// Names and text are written as given; the parser has already checked them (or the caller built them).
/// </summary>
internal static class ChatFormatter
{
    // ---- client lines ----
    public static int Join(Span<byte> dest, ReadOnlySpan<byte> room) => Write(dest, "JOIN "u8, room);
    public static int Leave(Span<byte> dest, ReadOnlySpan<byte> room) => Write(dest, "LEAVE "u8, room);
    public static int Nick(Span<byte> dest, ReadOnlySpan<byte> nick) => Write(dest, "NICK "u8, nick);
    public static int Msg(Span<byte> dest, ReadOnlySpan<byte> room, ReadOnlySpan<byte> text) => Write(dest, "MSG "u8, room, " "u8, text);
    public static int Quit(Span<byte> dest) => Write(dest, "QUIT"u8);

    /// <summary>Length of the MSG line a client sends, terminator included: for sizing a buffer once.</summary>
    public static int MsgLength(int roomBytes, int textBytes) => 4 + roomBytes + 1 + textBytes + 1;

    // ---- server lines ----
    public static int Broadcast(Span<byte> dest, ReadOnlySpan<byte> room, ReadOnlySpan<byte> sender, ReadOnlySpan<byte> text) =>
        Write(dest, "MSG "u8, room, " "u8, sender, " "u8, text);

    /// <summary>Length of a broadcast line, terminator included.</summary>
    public static int BroadcastLength(int roomBytes, int senderBytes, int textBytes) => 4 + roomBytes + 1 + senderBytes + 1 + textBytes + 1;

    public static int Joined(Span<byte> dest, ReadOnlySpan<byte> room, int members)
    {
        Span<byte> digits = stackalloc byte[11];
        if (!Utf8Formatter.TryFormat(members, digits, out var n)) return 0;
        return Write(dest, "JOINED "u8, room, " "u8, digits[..n]);
    }

    public static int Left(Span<byte> dest, ReadOnlySpan<byte> room) => Write(dest, "LEFT "u8, room);
    public static int NickSet(Span<byte> dest, ReadOnlySpan<byte> nick) => Write(dest, "NICK "u8, nick);
    public static int Pong(Span<byte> dest, ReadOnlySpan<byte> text) => text.IsEmpty ? Write(dest, "PONG"u8) : Write(dest, "PONG "u8, text);
    public static int Bye(Span<byte> dest) => Write(dest, "BYE"u8);

    /// <summary><c>ERR &lt;token&gt;[ &lt;detail&gt;]</c>; the detail is a room name or a short ASCII hint.</summary>
    public static int Err(Span<byte> dest, ChatError error, ReadOnlySpan<byte> detail = default)
    {
        Span<byte> token = stackalloc byte[24];
        var n = System.Text.Encoding.ASCII.GetBytes(ChatErrors.Token(error), token);
        return detail.IsEmpty ? Write(dest, "ERR "u8, token[..n]) : Write(dest, "ERR "u8, token[..n], " "u8, detail);
    }

    private static int Write(Span<byte> dest, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b = default, ReadOnlySpan<byte> c = default,
        ReadOnlySpan<byte> d = default, ReadOnlySpan<byte> e = default, ReadOnlySpan<byte> f = default)
    {
        var total = a.Length + b.Length + c.Length + d.Length + e.Length + f.Length + 1;
        if (dest.Length < total) return 0;
        var at = 0;
        a.CopyTo(dest); at += a.Length;
        b.CopyTo(dest[at..]); at += b.Length;
        c.CopyTo(dest[at..]); at += c.Length;
        d.CopyTo(dest[at..]); at += d.Length;
        e.CopyTo(dest[at..]); at += e.Length;
        f.CopyTo(dest[at..]); at += f.Length;
        dest[at] = (byte)'\n';
        return total;
    }
}
