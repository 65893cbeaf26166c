namespace ConnBurst.Servers.Chat;

/// <summary>A connection as the rooms see it: an id, a nick, and a bounded outbox.</summary>
internal interface IChatMember
{
    long Id { get; }

    /// <summary>The nick, as UTF-8 name bytes (see ChatParser.IsName).</summary>
    ReadOnlyMemory<byte> Nick { get; }

    /// <summary>
    /// Queues one complete line (shared with other members: never modify it). Returns false when the member's queue
    /// is full: the member is a slow reader, drops itself, and the room moves on without waiting.
    /// </summary>
    bool TrySend(ReadOnlyMemory<byte> line);
}
