namespace ConnBurst.Chat;

/// <summary>
/// The bounds of the chat line protocol (docs/chat-protocol.md). A peer that exceeds one gets <c>ERR</c> and a close.
/// Immutable; validated once where it is built (the command line).
/// </summary>
internal sealed record ChatLimits
{
    /// <summary>Longest line in bytes, not counting the CR/LF terminator (default 4 KiB).</summary>
    public int MaxLineBytes { get; init; } = 4096;

    /// <summary>Rooms one connection may be in at once; a JOIN beyond it is a rule break (JOIN flood).</summary>
    public int MaxRoomsPerClient { get; init; } = 16;

    /// <summary>Members one room may hold; a JOIN beyond it is refused with <c>ERR room-full</c> (not a close: not the joiner's
    /// fault).</summary>
    public int MaxClientsPerRoom { get; init; } = 10_000;

    /// <summary>Longest room or nick name in bytes.</summary>
    public const int MaxNameBytes = 64;

    public static readonly ChatLimits Default = new();

    public ChatLimits Validate()
    {
        if (MaxLineBytes is < 64 or > 1 << 20)
            throw new Common.InputException($"max line length {MaxLineBytes} is out of range (64 bytes to 1 MiB)");
        if (MaxRoomsPerClient is < 1 or > 10_000)
            throw new Common.InputException($"rooms per client {MaxRoomsPerClient} is out of range (1-10000)");
        if (MaxClientsPerRoom is < 1 or > 1_000_000)
            throw new Common.InputException($"clients per room {MaxClientsPerRoom} is out of range (1-1000000)");
        return this;
    }
}
