namespace ConnBurst.Servers.Chat;

/// <summary>
/// One room: its name and members. Membership changes under a lock and publishes a new array, so a broadcast reads
/// one array with no lock and is never blocked by a JOIN or LEAVE (copy-on-write: joins are rare, messages are not).
/// </summary>
internal sealed class ChatRoom(byte[] name)
{
    private readonly Lock _gate = new();
    private IChatMember[] _members = [];

    public byte[] Name { get; } = name;
    public string NameText { get; } = System.Text.Encoding.UTF8.GetString(name);

    public int Count => Volatile.Read(ref _members).Length;

    /// <summary>The members at this instant; the array is never modified after it is published.</summary>
    public IChatMember[] Members => Volatile.Read(ref _members);

    /// <summary>Adds <paramref name="member"/> unless the room is full; returns the member count, or -1 when full.</summary>
    internal int Add(IChatMember member, int maxMembers, out bool added)
    {
        lock (_gate)
        {
            added = false;
            var current = _members;
            if (Array.IndexOf(current, member) >= 0) return current.Length;
            if (current.Length >= maxMembers) return -1;
            _members = [.. current, member];
            added = true;
            return current.Length + 1;
        }
    }

    /// <summary>Removes <paramref name="member"/>; returns the members left.</summary>
    internal int Remove(IChatMember member)
    {
        lock (_gate)
        {
            var current = _members;
            var i = Array.IndexOf(current, member);
            if (i < 0) return current.Length;
            var next = new IChatMember[current.Length - 1];
            Array.Copy(current, 0, next, 0, i);
            Array.Copy(current, i + 1, next, i, current.Length - i - 1);
            _members = next;
            return next.Length;
        }
    }

    /// <summary>
    /// Queues <paramref name="line"/> to every member, the sender included. A member whose queue is full is reported
    /// through <paramref name="slow"/> and skipped: the room never waits for a slow reader. Returns lines queued.
    /// </summary>
    public int Broadcast(ReadOnlyMemory<byte> line, Action<IChatMember>? slow = null)
    {
        var delivered = 0;
        foreach (var m in Members)
        {
            if (m.TrySend(line)) delivered++;
            else slow?.Invoke(m);
        }
        return delivered;
    }
}
