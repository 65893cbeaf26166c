using ConnBurst.Chat;

namespace ConnBurst.Servers.Chat;

/// <summary>The outcome of a JOIN.</summary>
internal enum JoinOutcome : byte { Joined, AlreadyMember, RoomFull, TooManyRooms }

/// <summary>
/// Every room of a server, and each member's rooms. Pure in-memory logic with no I/O, so it is tested directly.
/// JOIN and LEAVE take a lock; MSG does not: the sender finds its room in its own short list
/// (<see cref="MemberRooms"/>, at most MaxRoomsPerClient entries) and the room broadcasts from a published array.
/// </summary>
internal sealed class ChatRooms(ChatLimits limits)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ChatRoom> _rooms = new(StringComparer.Ordinal);

    public ChatLimits Limits { get; } = limits;

    public int RoomCount { get { lock (_gate) return _rooms.Count; } }

    public ChatRoom? Find(string name) { lock (_gate) return _rooms.GetValueOrDefault(name); }

    /// <summary>Joins <paramref name="member"/> to <paramref name="roomName"/>, creating the room on first join.</summary>
    public JoinOutcome Join(IChatMember member, MemberRooms mine, ReadOnlySpan<byte> roomName, out ChatRoom? room, out int members)
    {
        members = 0;
        room = mine.Find(roomName);
        if (room is not null) { members = room.Count; return JoinOutcome.AlreadyMember; }
        if (mine.Count >= Limits.MaxRoomsPerClient) return JoinOutcome.TooManyRooms;
        var key = System.Text.Encoding.UTF8.GetString(roomName); // JOIN is rare; MSG never allocates a key
        lock (_gate)
        {
            if (!_rooms.TryGetValue(key, out room)) _rooms[key] = room = new ChatRoom(roomName.ToArray());
            members = room.Add(member, Limits.MaxClientsPerRoom, out var added);
            if (members < 0)
            {
                if (room.Count == 0) _rooms.Remove(key);
                room = null;
                members = 0;
                return JoinOutcome.RoomFull;
            }
            if (!added) return JoinOutcome.AlreadyMember;
        }
        mine.Add(room);
        return JoinOutcome.Joined;
    }

    /// <summary>Removes <paramref name="member"/> from one room; false when it was not a member.</summary>
    public bool Leave(IChatMember member, MemberRooms mine, ReadOnlySpan<byte> roomName)
    {
        var room = mine.Find(roomName);
        if (room is null) return false;
        mine.Remove(room);
        RemoveFrom(room, member);
        return true;
    }

    /// <summary>Removes <paramref name="member"/> from every room it is in (on close).</summary>
    public void LeaveAll(IChatMember member, MemberRooms mine)
    {
        foreach (var room in mine.TakeAll()) RemoveFrom(room, member);
    }

    private void RemoveFrom(ChatRoom room, IChatMember member)
    {
        lock (_gate)
        {
            // Empty rooms go away, so a JOIN flood across many names leaves nothing behind.
            if (room.Remove(member) == 0 && _rooms.TryGetValue(room.NameText, out var r) && r == room) _rooms.Remove(room.NameText);
        }
    }
}

/// <summary>The rooms one connection is in: a short list owned by that connection's session (one reader at a time).</summary>
internal sealed class MemberRooms
{
    private readonly List<ChatRoom> _rooms = new(2);
    private readonly Lock _gate = new();

    public int Count { get { lock (_gate) return _rooms.Count; } }

    public ChatRoom? Find(ReadOnlySpan<byte> name)
    {
        lock (_gate)
        {
            foreach (var r in _rooms)
                if (name.SequenceEqual(r.Name)) return r;
        }

        return null;
    }

    internal void Add(ChatRoom room) { lock (_gate) _rooms.Add(room); }
    internal void Remove(ChatRoom room) { lock (_gate) _rooms.Remove(room); }

    internal ChatRoom[] TakeAll()
    {
        lock (_gate)
        {
            var all = _rooms.ToArray();
            _rooms.Clear();
            return all;
        }
    }
}
