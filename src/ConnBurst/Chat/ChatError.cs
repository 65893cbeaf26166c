namespace ConnBurst.Chat;

/// <summary>
/// Why a line was refused. Each has a wire token (<see cref="ChatErrors.Token"/>) sent as <c>ERR &lt;token&gt;</c>.
/// <see cref="ChatErrors.Closes"/> says which are rule breaks (ERR, then the server closes the connection) and which
/// are refusals the client may recover from (ERR, the connection stays).
/// </summary>
public enum ChatError : byte
{
    None = 0,
    // Rule breaks: ERR then close.
    LineTooLong,
    BadUtf8,
    ControlCharacter,
    EmptyLine,
    UnknownCommand,
    MissingArgument,
    BadName,
    TooManyRooms,
    // Refusals: ERR, the connection stays.
    RoomFull,
    NotMember,
}

internal static class ChatErrors
{
    public static string Token(ChatError e) => e switch
    {
        ChatError.LineTooLong => "line-too-long",
        ChatError.BadUtf8 => "bad-utf8",
        ChatError.ControlCharacter => "control-character",
        ChatError.EmptyLine => "empty-line",
        ChatError.UnknownCommand => "unknown-command",
        ChatError.MissingArgument => "missing-argument",
        ChatError.BadName => "bad-name",
        ChatError.TooManyRooms => "too-many-rooms",
        ChatError.RoomFull => "room-full",
        ChatError.NotMember => "not-member",
        _ => "none",
    };

    /// <summary>True when the error is a rule break: the server sends ERR and then closes.</summary>
    public static bool Closes(ChatError e) => e is not (ChatError.None or ChatError.RoomFull or ChatError.NotMember);

    public static readonly ChatError[] All = Enum.GetValues<ChatError>().Where(e => e != ChatError.None).ToArray();
}
