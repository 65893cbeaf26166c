namespace ConnBurst.Chat;

/// <summary>What <see cref="ChatFraming.TryReadLine"/> found at the front of a buffer.</summary>
internal enum FrameStatus
{
    /// <summary>A complete line: <c>line</c> holds it without its terminator, <c>consumed</c> includes the terminator.</summary>
    Line,
    /// <summary>No line feed yet and the buffer is still within the limit: keep the bytes and read more.</summary>
    NeedMore,
    /// <summary>The line is longer than the limit (with or without its line feed yet): a rule break, the peer gets ERR and a
    /// close.</summary>
    TooLong,
}

/// <summary>
/// Line framing: a line ends at LF; one CR before the LF is dropped, so both <c>\n</c> and <c>\r\n</c> peers work
/// (openssl s_client sends CRLF with -crlf). Pure function over a span; a partial line stays in the caller's buffer.
/// </summary>
internal static class ChatFraming
{
    public static FrameStatus TryReadLine(ReadOnlySpan<byte> buffer, int maxLineBytes, out ReadOnlySpan<byte> line, out int consumed)
    {
        line = default;
        consumed = 0;
        // Look one byte past the limit (for a CR) and one more for the LF; a longer search is wasted work on a rule breaker.
        var window = buffer.Length <= maxLineBytes + 2 ? buffer : buffer[..(maxLineBytes + 2)];
        var lf = window.IndexOf((byte)'\n');
        if (lf < 0) return buffer.Length > maxLineBytes + 1 ? FrameStatus.TooLong : FrameStatus.NeedMore;
        var end = lf > 0 && window[lf - 1] == (byte)'\r' ? lf - 1 : lf;
        if (end > maxLineBytes) return FrameStatus.TooLong;
        line = buffer[..end];
        consumed = lf + 1;
        return FrameStatus.Line;
    }
}
