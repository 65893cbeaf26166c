using System.Collections.Concurrent;
using System.Text;
using ConnBurst.Chat;
using ConnBurst.Servers.Chat;

namespace ConnBurst.Tests.Chat;

public class ChatRoomsTests
{
    private sealed class Member(long id, int capacity = 1000) : IChatMember
    {
        public readonly ConcurrentQueue<string> Lines = new();
        public long Id { get; } = id;
        public ReadOnlyMemory<byte> Nick { get; } = Encoding.ASCII.GetBytes($"m{id}");
        public bool TrySend(ReadOnlyMemory<byte> line)
        {
            if (Lines.Count >= capacity) return false;
            Lines.Enqueue(Encoding.UTF8.GetString(line.Span));
            return true;
        }
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void BroadcastReachesEveryMemberIncludingTheSender()
    {
        var rooms = new ChatRooms(ChatLimits.Default);
        var members = Enumerable.Range(0, 5).Select(i => new Member(i)).ToArray();
        var mine = members.Select(_ => new MemberRooms()).ToArray();
        for (var i = 0; i < members.Length; i++)
        {
            Assert.Equal(JoinOutcome.Joined, rooms.Join(members[i], mine[i], B("lobby"), out _, out var count));
            Assert.Equal(i + 1, count);
        }
        var room = mine[2].Find(B("lobby"))!;
        Assert.Equal(5, room.Broadcast(B("MSG lobby m2 hi\n")));
        Assert.All(members, m => Assert.Equal(["MSG lobby m2 hi\n"], m.Lines));
        Assert.Equal(1, rooms.RoomCount);
    }

    [Fact]
    public void ASlowReaderIsReportedAndSkippedWhileTheOthersStillGetTheMessage()
    {
        var rooms = new ChatRooms(ChatLimits.Default);
        var fast = new Member(1);
        var slow = new Member(2, capacity: 0);
        var (mf, ms) = (new MemberRooms(), new MemberRooms());
        rooms.Join(fast, mf, B("r"), out var room, out _);
        rooms.Join(slow, ms, B("r"), out _, out _);
        var dropped = new List<IChatMember>();
        Assert.Equal(1, room!.Broadcast(B("x\n"), dropped.Add));
        Assert.Equal([slow], dropped);
        Assert.Single(fast.Lines);
    }

    [Fact]
    public void RoomsPerClientAndClientsPerRoomAreBounded()
    {
        var rooms = new ChatRooms(new ChatLimits { MaxRoomsPerClient = 2, MaxClientsPerRoom = 2 });
        var a = new Member(1);
        var mine = new MemberRooms();
        Assert.Equal(JoinOutcome.Joined, rooms.Join(a, mine, B("r1"), out _, out _));
        Assert.Equal(JoinOutcome.AlreadyMember, rooms.Join(a, mine, B("r1"), out _, out _));
        Assert.Equal(JoinOutcome.Joined, rooms.Join(a, mine, B("r2"), out _, out _));
        Assert.Equal(JoinOutcome.TooManyRooms, rooms.Join(a, mine, B("r3"), out _, out _));

        rooms.Join(new Member(2), new MemberRooms(), B("r1"), out _, out _);
        Assert.Equal(JoinOutcome.RoomFull, rooms.Join(new Member(3), new MemberRooms(), B("r1"), out _, out _));
    }

    [Fact]
    public void EmptyRoomsAreRemovedSoAJoinFloodLeavesNothingBehind()
    {
        var rooms = new ChatRooms(ChatLimits.Default);
        var a = new Member(1);
        var mine = new MemberRooms();
        for (var i = 0; i < 10; i++) rooms.Join(a, mine, B($"r{i}"), out _, out _);
        Assert.Equal(10, rooms.RoomCount);
        Assert.True(rooms.Leave(a, mine, B("r3")));
        Assert.False(rooms.Leave(a, mine, B("r3")));
        Assert.Equal(9, rooms.RoomCount);
        rooms.LeaveAll(a, mine);
        Assert.Equal(0, rooms.RoomCount);
        Assert.Equal(0, mine.Count);
    }

    [Fact]
    public void ConcurrentJoinsLeavesAndBroadcastsKeepMembershipConsistent()
    {
        var rooms = new ChatRooms(ChatLimits.Default);
        var stayer = new Member(0, capacity: int.MaxValue);
        var stayerRooms = new MemberRooms();
        rooms.Join(stayer, stayerRooms, B("hot"), out var hot, out _);
        Parallel.For(1, 200, i =>
        {
            var m = new Member(i, capacity: int.MaxValue);
            var mine = new MemberRooms();
            for (var k = 0; k < 20; k++)
            {
                rooms.Join(m, mine, B("hot"), out var r, out _);
                r!.Broadcast(B("x\n"));
                rooms.Leave(m, mine, B("hot"));
            }
        });
        Assert.Equal(199 * 20, stayer.Lines.Count);
        Assert.Equal(1, hot!.Count);
        Assert.Equal(1, rooms.RoomCount);
    }
}
