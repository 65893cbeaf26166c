using System.Collections.Concurrent;
using System.Text;
using ConnBurst.Chat;
using ConnBurst.Servers.Chat;

namespace ConnBurst.Tests.Chat;

public class ChatSessionTests
{
    private sealed class Peer
    {
        public readonly ConcurrentQueue<string> Written = new();
        public readonly ConcurrentQueue<string> Closes = new();
        public ChatSession Session = null!;

        public static Peer Create(long id, ChatRooms rooms, ChatServerCounters counters, int maxLines = 100)
        {
            var p = new Peer();
            var outbox = new ChatOutbox(maxLines, 1 << 20, bytes =>
            {
                p.Written.Enqueue(Encoding.UTF8.GetString(bytes.Span));
                return ValueTask.FromResult(true);
            }, _ => p.Session.CloseIfFlushed());
            p.Session = new ChatSession(id, rooms, counters, outbox, p.Closes.Enqueue);
            return p;
        }

        public int Send(string text) => Session.Consume(Encoding.UTF8.GetBytes(text));

        public async Task<string> OutputAsync()
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!Session.Outbox.IsIdle && DateTime.UtcNow < deadline) await Task.Delay(5);
            return string.Concat(Written);
        }

        /// <summary>The closes so far once there are <paramref name="expected"/>: the outbox tells the session after it went
        /// idle.</summary>
        public async Task<string[]> ClosesAsync(int expected)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Closes.Count < expected && DateTime.UtcNow < deadline) await Task.Delay(5);
            return [.. Closes];
        }
    }

    [Fact]
    public async Task JoinAndMessageAreAnsweredAndBroadcastToEveryMember()
    {
        var rooms = new ChatRooms(ChatLimits.Default);
        var counters = new ChatServerCounters();
        var a = Peer.Create(1, rooms, counters);
        var b = Peer.Create(2, rooms, counters);
        a.Send("NICK alice\nJOIN lobby\n");
        b.Send("JOIN lobby\n");
        a.Send("MSG lobby hello all\n");
        Assert.Equal("NICK alice\nJOINED lobby 1\nMSG lobby alice hello all\n", await a.OutputAsync());
        Assert.Equal("JOINED lobby 2\nMSG lobby alice hello all\n", await b.OutputAsync());
        Assert.Equal(1, counters.MessagesIn);
        Assert.Equal(2, counters.MessagesOut);
    }

    [Fact]
    public void APartialLineStaysWithTheCaller()
    {
        var rooms = new ChatRooms(ChatLimits.Default);
        var a = Peer.Create(1, rooms, new ChatServerCounters());
        Assert.Equal(0, a.Send("JOIN lob"));
        Assert.Equal(11, a.Send("JOIN lobby\nMSG lob"));
    }

    [Theory]
    [InlineData("HELLO\n", "ERR unknown-command\n")]
    [InlineData("MSG lobby \u0001\n", "ERR control-character\n")]
    public async Task ARuleBreakGetsErrAndACloseAfterFlush(string input, string expected)
    {
        var a = Peer.Create(1, new ChatRooms(ChatLimits.Default), new ChatServerCounters());
        a.Send(input + "JOIN lobby\n");
        Assert.Equal(SessionState.CloseAfterFlush, a.Session.State);
        Assert.Equal(expected, await a.OutputAsync()); // and nothing after it: the JOIN was never read
        Assert.Equal(["rule-break"], await a.ClosesAsync(1));
    }

    [Fact]
    public async Task AnOverlongLineIsRefusedWithoutWaitingForItsEnd()
    {
        var a = Peer.Create(1, new ChatRooms(ChatLimits.Default), new ChatServerCounters());
        var consumed = a.Session.Consume(new byte[8192]);
        Assert.Equal(8192, consumed);
        Assert.Equal(SessionState.CloseAfterFlush, a.Session.State);
        Assert.Equal("ERR line-too-long\n", await a.OutputAsync());
    }

    [Fact]
    public async Task AJoinFloodIsCutOffAtTheRoomsPerClientLimit()
    {
        var rooms = new ChatRooms(new ChatLimits { MaxRoomsPerClient = 3 });
        var counters = new ChatServerCounters();
        var a = Peer.Create(1, rooms, counters);
        a.Send(string.Concat(Enumerable.Range(0, 50).Select(i => $"JOIN r{i}\n")));
        Assert.Equal(SessionState.CloseAfterFlush, a.Session.State);
        Assert.EndsWith("ERR too-many-rooms r3\n", await a.OutputAsync());
        a.Session.Closed();
        Assert.Equal(0, rooms.RoomCount);
        Assert.Equal(1, counters.Errors(ChatError.TooManyRooms));
    }

    [Fact]
    public async Task RefusalsThatAreNotRuleBreaksKeepTheConnection()
    {
        var a = Peer.Create(1, new ChatRooms(ChatLimits.Default), new ChatServerCounters());
        a.Send("MSG nowhere hi\nPING 1\n");
        Assert.Equal(SessionState.Open, a.Session.State);
        Assert.Equal("ERR not-member nowhere\nPONG 1\n", await a.OutputAsync());
    }

    [Fact]
    public async Task QuitSaysByeAndClosesAfterFlush()
    {
        var a = Peer.Create(1, new ChatRooms(ChatLimits.Default), new ChatServerCounters());
        a.Send("QUIT\n");
        Assert.Equal(SessionState.CloseAfterFlush, a.Session.State);
        Assert.Equal("BYE\n", await a.OutputAsync());
        Assert.Equal(["quit"], await a.ClosesAsync(1));
    }

    [Fact]
    public void ASlowReaderIsAbortedAndTheSenderIsNotBlocked()
    {
        var rooms = new ChatRooms(ChatLimits.Default);
        var counters = new ChatServerCounters();
        var sender = Peer.Create(1, rooms, counters, maxLines: 10_000);
        // The slow reader's writer never completes, so its queue (2 lines) fills.
        var stuck = new TaskCompletionSource();
        var slowCloses = new ConcurrentQueue<string>();
        var slowOutbox = new ChatOutbox(2, 1 << 20, _ => new ValueTask<bool>(stuck.Task.ContinueWith(_ => true)), _ => { });
        var slow = new ChatSession(2, rooms, counters, slowOutbox, slowCloses.Enqueue);
        slow.Consume("JOIN lobby\n"u8);
        sender.Send("JOIN lobby\n");
        for (var i = 0; i < 20; i++) sender.Send($"MSG lobby m{i}\n");
        Assert.Equal(["slow-reader"], slowCloses);
        Assert.Equal(SessionState.Abort, slow.State);
        Assert.Equal(1, counters.SlowReadersDropped);
        Assert.Equal(20, counters.MessagesIn);
        stuck.SetResult();
    }
}
