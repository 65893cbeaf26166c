using System.Text;
using ConnBurst.Chat;

namespace ConnBurst.Tests.Chat;

public class ChatProtocolTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);
    private static string S(ReadOnlySpan<byte> b) => Encoding.UTF8.GetString(b);

    [Fact]
    public void FramingReturnsOneLineAtATimeAndDropsTheCarriageReturn()
    {
        var buffer = B("JOIN a\r\nMSG a hi\nPART");
        Assert.Equal(FrameStatus.Line, ChatFraming.TryReadLine(buffer, 4096, out var line, out var used));
        Assert.Equal("JOIN a", S(line));
        Assert.Equal(8, used);
        Assert.Equal(FrameStatus.Line, ChatFraming.TryReadLine(buffer.AsSpan(used), 4096, out line, out var used2));
        Assert.Equal("MSG a hi", S(line));
        Assert.Equal(FrameStatus.NeedMore, ChatFraming.TryReadLine(buffer.AsSpan(used + used2), 4096, out _, out _));
    }

    [Fact]
    public void FramingRefusesALineLongerThanTheLimitWithOrWithoutItsLineFeed()
    {
        var limit = 64;
        Assert.Equal(FrameStatus.Line, ChatFraming.TryReadLine(B(new string('a', limit) + "\r\n"), limit, out _, out _));
        Assert.Equal(FrameStatus.TooLong, ChatFraming.TryReadLine(B(new string('a', limit + 1) + "\n"), limit, out _, out _));
        Assert.Equal(FrameStatus.TooLong, ChatFraming.TryReadLine(new byte[1 << 20], limit, out _, out _));
        Assert.Equal(FrameStatus.NeedMore, ChatFraming.TryReadLine(B(new string('a', limit)), limit, out _, out _));
    }

    [Theory]
    [InlineData("JOIN lobby", ClientCommand.Join, "lobby", "")]
    [InlineData("join lobby", ClientCommand.Join, "lobby", "")]
    [InlineData("MSG lobby hello  world", ClientCommand.Msg, "lobby", "hello  world")]
    [InlineData("MSG r-1 héllo ✓", ClientCommand.Msg, "r-1", "héllo ✓")]
    [InlineData("LEAVE lobby", ClientCommand.Leave, "lobby", "")]
    [InlineData("NICK alice_1", ClientCommand.Nick, "alice_1", "")]
    [InlineData("QUIT", ClientCommand.Quit, "", "")]
    [InlineData("QUIT bye now", ClientCommand.Quit, "", "bye now")]
    [InlineData("PING 42", ClientCommand.Ping, "", "42")]
    public void ParsesEveryClientCommand(string text, ClientCommand command, string name, string rest)
    {
        var line = ChatParser.ParseClient(B(text));
        Assert.Equal(ChatError.None, line.Error);
        Assert.Equal(command, line.Command);
        Assert.Equal(name, S(line.Name));
        Assert.Equal(rest, S(line.Text));
    }

    [Theory]
    [InlineData("", ChatError.EmptyLine)]
    [InlineData("HELLO there", ChatError.UnknownCommand)]
    [InlineData("JOIN", ChatError.MissingArgument)]
    [InlineData("JOIN a b", ChatError.BadName)]
    [InlineData("JOIN bad/name", ChatError.BadName)]
    [InlineData("MSG lobby", ChatError.MissingArgument)]
    [InlineData("MSG lobby ", ChatError.MissingArgument)]
    [InlineData("MSG lo\u0001bby hi", ChatError.ControlCharacter)]
    [InlineData("MSG lobby a\u007fb", ChatError.ControlCharacter)]
    public void RefusesMalformedLinesWithTheirReason(string text, ChatError error) =>
        Assert.Equal(error, ChatParser.ParseClient(B(text)).Error);

    [Fact]
    public void RefusesInvalidUtf8AndBinary()
    {
        Assert.Equal(ChatError.BadUtf8, ChatParser.ParseClient([(byte)'M', (byte)'S', (byte)'G', (byte)' ', 0xC3, 0x28]).Error);
        var blob = new byte[300];
        new Random(7).NextBytes(blob);
        Assert.NotEqual(ChatError.None, ChatParser.ParseClient(blob).Error);
    }

    [Fact]
    public void RoomNamesAreBoundedAndPlain()
    {
        Assert.True(ChatParser.IsName(B(new string('r', ChatLimits.MaxNameBytes))));
        Assert.False(ChatParser.IsName(B(new string('r', ChatLimits.MaxNameBytes + 1))));
        Assert.False(ChatParser.IsName(B("héllo")));
        Assert.True(ChatParser.IsName(B("#general.2-x_y")));
    }

    [Fact]
    public void FormattedClientLinesParseBack()
    {
        var buf = new byte[256];
        var n = ChatFormatter.Msg(buf, B("lobby"), B("hi there"));
        Assert.Equal(ChatFormatter.MsgLength(5, 8), n);
        Assert.Equal(FrameStatus.Line, ChatFraming.TryReadLine(buf.AsSpan(0, n), 4096, out var line, out var used));
        Assert.Equal(n, used);
        var parsed = ChatParser.ParseClient(line);
        Assert.Equal(ClientCommand.Msg, parsed.Command);
        Assert.Equal("hi there", S(parsed.Text));
        Assert.Equal(0, ChatFormatter.Msg(buf.AsSpan(0, 10), B("lobby"), B("hi there"))); // too small: nothing written
    }

    [Fact]
    public void FormattedServerLinesParseBack()
    {
        var buf = new byte[256];
        var n = ChatFormatter.Broadcast(buf, B("lobby"), B("c7"), B("a b c"));
        Assert.Equal(ChatFormatter.BroadcastLength(5, 2, 5), n);
        var msg = ChatParser.ParseServer(buf.AsSpan(0, n - 1));
        Assert.Equal(ServerReply.Msg, msg.Reply);
        Assert.Equal("lobby", S(msg.Name));
        Assert.Equal("c7", S(msg.Sender));
        Assert.Equal("a b c", S(msg.Text));

        n = ChatFormatter.Joined(buf, B("lobby"), 123);
        var joined = ChatParser.ParseServer(buf.AsSpan(0, n - 1));
        Assert.Equal(ServerReply.Joined, joined.Reply);
        Assert.Equal(123, joined.Members);

        n = ChatFormatter.Err(buf, ChatError.TooManyRooms, B("r9"));
        Assert.Equal("ERR too-many-rooms r9\n", S(buf.AsSpan(0, n)));
        var err = ChatParser.ParseServer(buf.AsSpan(0, n - 1));
        Assert.Equal(ServerReply.Err, err.Reply);
        Assert.Equal("too-many-rooms", S(err.Name));
    }

    [Fact]
    public void RandomAndMutatedLinesNeverThrow()
    {
        var rng = new Random(12345);
        var seeds = new[] { "JOIN lobby", "MSG lobby hello", "LEAVE x", "NICK n", "QUIT", "PING" };
        var buf = new byte[600];
        for (var i = 0; i < 50_000; i++)
        {
            int n;
            if (i % 2 == 0) { n = rng.Next(buf.Length); rng.NextBytes(buf.AsSpan(0, n)); }
            else
            {
                var s = B(seeds[rng.Next(seeds.Length)]);
                s.CopyTo(buf, 0);
                n = s.Length;
                for (var k = rng.Next(1, 4); k > 0; k--) buf[rng.Next(n)] = (byte)rng.Next(256);
            }
            var parsed = ChatParser.ParseClient(buf.AsSpan(0, n));
            Assert.True(parsed.Error != ChatError.None || parsed.Command != ClientCommand.Invalid);
            ChatParser.ParseServer(buf.AsSpan(0, n));
            ChatFraming.TryReadLine(buf.AsSpan(0, n), 128, out _, out _);
        }
    }
}
