using System.Text;
using ConnBurst.Chat;
using ConnBurst.Transport;

using ConnBurst.Servers.Hosting;

namespace ConnBurst.Servers.Chat;

/// <summary>What a session wants from its connection after consuming bytes.</summary>
internal enum SessionState : byte
{
    /// <summary>Keep reading.</summary>
    Open,
    /// <summary>Stop reading; close once the outbox has flushed (ERR or BYE is in it).</summary>
    CloseAfterFlush,
    /// <summary>Close now without flushing (slow reader: its queue is full, flushing would wait on it).</summary>
    Abort,
}

/// <summary>
/// One chat connection's protocol state: consumes bytes, returns how many it used (a partial line stays with the
/// caller), and answers into its own bounded <see cref="ChatOutbox"/>. Knows nothing of sockets or TLS.
/// Consume is called by one reader at a time; TrySend is called from any broadcaster.
/// </summary>
internal sealed class ChatSession : IChatMember, IConnectionSession
{
    private readonly ChatRooms _rooms;
    private readonly ChatServerCounters _counters;
    private readonly MemberRooms _mine = new();
    private readonly Action<string> _close;
    private string _closeReason = "closed";
    private int _state; // SessionState, written with Interlocked from broadcasters (Abort) and the reader

    /// <param name="close">Ends the connection now, with a reason for the log: "slow-reader", "rule-break" or "quit".</param>
    public ChatSession(long id, ChatRooms rooms, ChatServerCounters counters, ChatOutbox outbox, Action<string> close)
    {
        Id = id;
        _rooms = rooms;
        _counters = counters;
        Outbox = outbox;
        _close = close;
        Nick = Encoding.ASCII.GetBytes($"c{id}");
    }

    public long Id { get; }
    public ReadOnlyMemory<byte> Nick { get; private set; }
    public ChatOutbox Outbox { get; }
    public SessionState State => (SessionState)Volatile.Read(ref _state);
    public int RoomCount => _mine.Count;

    public bool TrySend(ReadOnlyMemory<byte> line) => Outbox.TryEnqueue(line);

    /// <summary>Handles every complete line in <paramref name="input"/>; returns the bytes used.</summary>
    public int Consume(ReadOnlySpan<byte> input)
    {
        var used = 0;
        while (State == SessionState.Open)
        {
            var status = ChatFraming.TryReadLine(input[used..], _rooms.Limits.MaxLineBytes, out var line, out var consumed);
            if (status == FrameStatus.NeedMore) break;
            if (status == FrameStatus.TooLong)
            {
                Refuse(ChatError.LineTooLong);
                return input.Length; // the rest is the rule breaker's; it is dropped with the connection
            }
            used += consumed;
            Handle(line);
        }
        return State == SessionState.Open ? used : input.Length;
    }

    /// <summary>The connection is gone: leave every room so broadcasts stop reaching it.</summary>
    public void Closed()
    {
        Outbox.Close();
        _rooms.LeaveAll(this, _mine);
    }

    void IConnectionSession.OnClosed(ConnectionCloseReason reason)
    {
        Closed();
        _counters.SessionClosed();
    }

    /// <summary>Chat has no idle deadline of its own; the transport enforces the handshake timeout.</summary>
    string? IConnectionSession.CheckTimeout(long nowMs) => null;

    private void Handle(ReadOnlySpan<byte> line)
    {
        var cmd = ChatParser.ParseClient(line);
        if (cmd.Error != ChatError.None) { Refuse(cmd.Error); return; }
        switch (cmd.Command)
        {
            case ClientCommand.Msg: Message(cmd.Name, cmd.Text); break;
            case ClientCommand.Join: Join(cmd.Name); break;
            case ClientCommand.Leave:
                if (_rooms.Leave(this, _mine, cmd.Name)) Reply(ChatFormatter.Left, cmd.Name);
                else Refuse(ChatError.NotMember, cmd.Name);
                break;
            case ClientCommand.Nick:
                // A nick is per connection and not unique: the load test's senders are identified by their text anyway.
                Nick = cmd.Name.ToArray();
                Reply(ChatFormatter.NickSet, cmd.Name);
                break;
            case ClientCommand.Ping: Reply(ChatFormatter.Pong, cmd.Text); break;
            case ClientCommand.Quit:
                _counters.Quit();
                var bye = new byte[4];
                Finish(bye.AsMemory(0, ChatFormatter.Bye(bye)), "quit");
                break;
        }
    }

    private void Join(ReadOnlySpan<byte> room)
    {
        switch (_rooms.Join(this, _mine, room, out _, out var members))
        {
            case JoinOutcome.Joined or JoinOutcome.AlreadyMember:
                _counters.Joined();
                var buffer = new byte[ChatLimits.MaxNameBytes + 24];
                Send(buffer.AsMemory(0, ChatFormatter.Joined(buffer, room, members)));
                break;
            case JoinOutcome.RoomFull: Refuse(ChatError.RoomFull, room); break;
            case JoinOutcome.TooManyRooms: Refuse(ChatError.TooManyRooms, room); break;
        }
    }

    private void Message(ReadOnlySpan<byte> roomName, ReadOnlySpan<byte> text)
    {
        var room = _mine.Find(roomName);
        if (room is null) { Refuse(ChatError.NotMember, roomName); return; }
        _counters.MessageIn();
        // Formatted once and shared by every member's outbox: one allocation per broadcast, none per member.
        var nick = Nick.Span;
        var line = new byte[ChatFormatter.BroadcastLength(room.Name.Length, nick.Length, text.Length)];
        ChatFormatter.Broadcast(line, room.Name, nick, text);
        var delivered = room.Broadcast(line, static m => (m as ChatSession)?.DropSlowReader());
        _counters.LinesOut(delivered);
    }

    /// <summary>Called by a broadcaster that found this member's queue full.</summary>
    private void DropSlowReader()
    {
        if (Interlocked.Exchange(ref _state, (int)SessionState.Abort) == (int)SessionState.Abort) return;
        _counters.SlowReaderDropped();
        Outbox.Close();
        _close("slow-reader");
    }

    private void Refuse(ChatError error, ReadOnlySpan<byte> detail = default)
    {
        _counters.Error(error);
        var buffer = new byte[ChatLimits.MaxNameBytes + 40];
        var line = buffer.AsMemory(0, ChatFormatter.Err(buffer, error, detail));
        if (ChatErrors.Closes(error)) Finish(line, "rule-break");
        else Send(line);
    }

    /// <summary>
    /// The last line of a connection (ERR for a rule break, BYE for QUIT): stop reading, leave every room so no more
    /// broadcasts queue up behind it, and close once it has been written (here, or when the writer goes idle).
    /// </summary>
    private void Finish(ReadOnlyMemory<byte> line, string reason)
    {
        Set(SessionState.CloseAfterFlush);
        _closeReason = reason;
        _rooms.LeaveAll(this, _mine);
        Send(line);
        Outbox.Close();
        CloseIfFlushed();
    }

    /// <summary>Called when the outbox's writer goes idle: a finished session closes once its last line is out.</summary>
    public void CloseIfFlushed()
    {
        // Both Finish and the writer's idle callback get here, on different threads; the close happens once.
        if (State == SessionState.CloseAfterFlush && Outbox.IsIdle && Interlocked.Exchange(ref _closeRequested, 1) == 0)
            _close(_closeReason);
    }

    private int _closeRequested;

    private delegate int Formatter(Span<byte> dest, ReadOnlySpan<byte> arg);

    private void Reply(Formatter format, ReadOnlySpan<byte> arg)
    {
        // Replies are rare next to broadcasts; a small array each keeps them in order with the broadcasts in one queue.
        var buffer = new byte[arg.Length + 16];
        Send(buffer.AsMemory(0, format(buffer, arg)));
    }

    private void Send(ReadOnlyMemory<byte> line)
    {
        if (!Outbox.TryEnqueue(line) && State != SessionState.Abort) DropSlowReader();
    }

    private void Set(SessionState s) => Interlocked.CompareExchange(ref _state, (int)s, (int)SessionState.Open);
}
