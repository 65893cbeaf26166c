using System.Collections.Concurrent;

namespace ConnBurst.Load.Chat;

/// <summary>
/// "Every member received every broadcast of its room": for each member still connected, the copies it received
/// against the messages sent in its room (every member joined before the first send, so each must see all of them).
/// </summary>
internal sealed record DeliveryCheck(int Members, long Expected, long Received, long Lost, long Extra, int MembersShort,
    IReadOnlyList<RoomDelivery> Rooms)
{
    public static DeliveryCheck Of(IReadOnlyList<ChatClient> clients, ConcurrentDictionary<string, long> sentByRoom)
    {
        long expected = 0, received = 0, lost = 0, extra = 0;
        int members = 0, short_ = 0;
        var rooms = new SortedDictionary<string, RoomDelivery>(StringComparer.Ordinal);
        foreach (var c in clients)
        {
            if (!c.Alive) continue;
            members++;
            var sent = sentByRoom.GetValueOrDefault(c.Room);
            var got = c.Received;
            expected += sent;
            received += got;
            if (got < sent) { lost += sent - got; short_++; }
            if (got > sent) extra += got - sent;
            var r = rooms.GetValueOrDefault(c.Room) ?? new RoomDelivery(c.Room, 0, sent, 0, 0);
            rooms[c.Room] = r with { Members = r.Members + 1, Received = r.Received + got, Expected = r.Expected + sent };
        }
        return new DeliveryCheck(members, expected, received, lost, extra, short_, [.. rooms.Values]);
    }
}

/// <summary>One room's deliveries: <paramref name="Sent"/> messages, each expected at every member.</summary>
internal sealed record RoomDelivery(string Name, int Members, long Sent, long Received, long Expected);
