using System.Text.Unicode;

namespace ConnBurst.Chat;

/// <summary>The commands a client sends (docs/chat-protocol.md).</summary>
public enum ClientCommand : byte { Invalid = 0, Join, Msg, Leave, Nick, Quit, Ping }

/// <summary>The lines a server sends.</summary>
internal enum ServerReply : byte { Invalid = 0, Joined, Msg, Left, Nick, Err, Bye, Pong }

/// <summary>One parsed client line. Spans point into the caller's buffer: use them before the buffer moves on.</summary>
internal readonly ref struct ClientLine
{
    public ClientCommand Command { get; init; }
    /// <summary>The room (JOIN, MSG, LEAVE) or the nick (NICK).</summary>
    public ReadOnlySpan<byte> Name { get; init; }
    /// <summary>MSG text, or the optional QUIT reason.</summary>
    public ReadOnlySpan<byte> Text { get; init; }
    public ChatError Error { get; init; }
}

/// <summary>One parsed server line.</summary>
internal readonly ref struct ServerLine
{
    public ServerReply Reply { get; init; }
    /// <summary>The room (JOINED, MSG, LEFT), the nick (NICK) or the error token (ERR).</summary>
    public ReadOnlySpan<byte> Name { get; init; }
    /// <summary>MSG sender.</summary>
    public ReadOnlySpan<byte> Sender { get; init; }
    /// <summary>MSG text, or ERR detail.</summary>
    public ReadOnlySpan<byte> Text { get; init; }
    /// <summary>JOINED member count.</summary>
    public int Members { get; init; }
}

/// <summary>
/// Parses single chat lines (already framed by <see cref="ChatFraming"/>, terminator removed). Pure functions over
/// spans: no allocation, no exceptions; a bad line comes back as <see cref="ChatError"/>.
/// </summary>
internal static class ChatParser
{
    public static ClientLine ParseClient(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty) return Fail(ChatError.EmptyLine);
        // Validate the whole line once: everything after this point may treat it as clean UTF-8 text.
        if (!Utf8.IsValid(line)) return Fail(ChatError.BadUtf8);
        if (HasControl(line)) return Fail(ChatError.ControlCharacter);

        var verb = SplitWord(line, out var rest);
        var command = Verb(verb);
        switch (command)
        {
            case ClientCommand.Join or ClientCommand.Leave or ClientCommand.Nick:
            {
                var name = SplitWord(rest, out var extra);
                if (name.IsEmpty) return Fail(ChatError.MissingArgument);
                if (!extra.IsEmpty || !IsName(name)) return Fail(ChatError.BadName);
                return new ClientLine { Command = command, Name = name };
            }
            case ClientCommand.Msg:
            {
                var room = SplitWord(rest, out var text);
                if (room.IsEmpty || text.IsEmpty) return Fail(ChatError.MissingArgument);
                if (!IsName(room)) return Fail(ChatError.BadName);
                return new ClientLine { Command = command, Name = room, Text = text };
            }
            case ClientCommand.Quit:
                return new ClientLine { Command = command, Text = rest };
            case ClientCommand.Ping:
                return new ClientLine { Command = command, Text = rest };
            default:
                return Fail(ChatError.UnknownCommand);
        }
    }

    public static ServerLine ParseServer(ReadOnlySpan<byte> line)
    {
        var verb = SplitWord(line, out var rest);
        if (Is(verb, "MSG"u8))
        {
            var room = SplitWord(rest, out var afterRoom);
            var sender = SplitWord(afterRoom, out var text);
            if (room.IsEmpty || sender.IsEmpty) return default;
            return new ServerLine { Reply = ServerReply.Msg, Name = room, Sender = sender, Text = text };
        }
        if (Is(verb, "JOINED"u8))
        {
            var room = SplitWord(rest, out var count);
            if (room.IsEmpty || !TryParseCount(count, out var members)) return default;
            return new ServerLine { Reply = ServerReply.Joined, Name = room, Members = members };
        }
        if (Is(verb, "ERR"u8))
        {
            var token = SplitWord(rest, out var detail);
            return new ServerLine { Reply = ServerReply.Err, Name = token, Text = detail };
        }
        if (Is(verb, "LEFT"u8)) return new ServerLine { Reply = ServerReply.Left, Name = SplitWord(rest, out _) };
        if (Is(verb, "NICK"u8)) return new ServerLine { Reply = ServerReply.Nick, Name = SplitWord(rest, out _) };
        if (Is(verb, "BYE"u8)) return new ServerLine { Reply = ServerReply.Bye, Text = rest };
        if (Is(verb, "PONG"u8)) return new ServerLine { Reply = ServerReply.Pong, Text = rest };
        return default;
    }

    /// <summary>Names (rooms, nicks): 1-64 bytes of <c>A-Z a-z 0-9 _ - . #</c>, so they never need quoting or escaping.</summary>
    public static bool IsName(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > ChatLimits.MaxNameBytes) return false;
        foreach (var b in name)
        {
            if (!(b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
                  or (byte)'_' or (byte)'-' or (byte)'.' or (byte)'#'))
            {
                return false;
            }
        }

        return true;
    }

    private static ClientCommand Verb(ReadOnlySpan<byte> verb)
    {
        // Verbs are ASCII and matched case-insensitively, so a person typing into openssl s_client can use "join".
        if (Is(verb, "MSG"u8)) return ClientCommand.Msg;
        if (Is(verb, "JOIN"u8)) return ClientCommand.Join;
        if (Is(verb, "LEAVE"u8)) return ClientCommand.Leave;
        if (Is(verb, "NICK"u8)) return ClientCommand.Nick;
        if (Is(verb, "QUIT"u8)) return ClientCommand.Quit;
        if (Is(verb, "PING"u8)) return ClientCommand.Ping;
        return ClientCommand.Invalid;
    }

    private static bool Is(ReadOnlySpan<byte> word, ReadOnlySpan<byte> upper)
    {
        if (word.Length != upper.Length) return false;
        for (var i = 0; i < word.Length; i++)
            if ((word[i] & 0xDF) != upper[i]) return false; // ASCII upper-casing; the verbs are letters only
        return true;
    }

    /// <summary>Splits at the first single space: the word before, and everything after (which may hold more spaces).</summary>
    private static ReadOnlySpan<byte> SplitWord(ReadOnlySpan<byte> s, out ReadOnlySpan<byte> rest)
    {
        var space = s.IndexOf((byte)' ');
        if (space < 0) { rest = default; return s; }
        rest = s[(space + 1)..];
        return s[..space];
    }

    private static bool HasControl(ReadOnlySpan<byte> line)
    {
        // C0 controls except TAB, and DEL. Multi-byte UTF-8 sequences are all >= 0x80 so they never match.
        foreach (var b in line)
            if (b < 0x20 && b != (byte)'\t' || b == 0x7F) return true;
        return false;
    }

    private static bool TryParseCount(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 9) return false;
        foreach (var b in s)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + (b - '0');
        }
        return true;
    }

    private static ClientLine Fail(ChatError e) => new() { Error = e };
}
