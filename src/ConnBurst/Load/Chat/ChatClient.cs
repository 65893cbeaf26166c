using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using ConnBurst.Chat;

namespace ConnBurst.Load.Chat;

/// <summary>
/// One simulated chat user: a TCP connect and a TLS handshake (each timed), a JOIN, a reader that times every broadcast
/// copy it receives, and a sender that sends its messages at their due times. Failures are counted by kind on the
/// recorder, never thrown out of the client.
/// </summary>
internal sealed class ChatClient(int index, string room, ChatRecorder recorder) : IAsyncDisposable
{
    private const int ReadBufferBytes = 16 * 1024;
    private const int MaxServerLine = 8 * 1024; // a 4 KiB text plus room, nick and verb

    private readonly byte[] _room = Encoding.UTF8.GetBytes(room);
    private readonly TaskCompletionSource<bool> _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _socket;
    private SslStream? _ssl;
    private Task? _reader;
    private long _received;
    private volatile bool _quitting;
    private volatile bool _alive;

    public int Index { get; } = index;
    public string Room { get; } = room;
    /// <summary>Connected, joined, and not lost since.</summary>
    public bool Alive => _alive;
    /// <summary>Broadcast copies of its room received (its own included).</summary>
    public long Received => Interlocked.Read(ref _received);
    public SslProtocols Protocol { get; private set; }
    public TlsCipherSuite Cipher { get; private set; }

    /// <summary>TCP, TLS, then JOIN; true when the client is a member of its room.</summary>
    public async Task<bool> ConnectAndJoinAsync(IPEndPoint server, SslClientAuthenticationOptions tls, TimeSpan connectTimeout,
        TimeSpan handshakeTimeout, CancellationToken ct)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket = socket;
        var t0 = Stopwatch.GetTimestamp();
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(connectTimeout);
            try { await socket.ConnectAsync(server, timeout.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return Fail("tcp-timeout"); }
            catch (SocketException e) { return Fail(TcpFailure(e.SocketErrorCode)); }
        }
        var t1 = Stopwatch.GetTimestamp();
        recorder.RecordTcp(Micros(t0, t1));

        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        _ssl = ssl;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(handshakeTimeout);
            try { await ssl.AuthenticateAsClientAsync(tls, timeout.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return Fail("tls-timeout"); }
            catch (AuthenticationException) { return Fail("tls-handshake"); }
            catch (IOException) { return Fail("tls-closed"); }
        }
        recorder.RecordTls(Micros(t1, Stopwatch.GetTimestamp()));
        Protocol = ssl.SslProtocol;
        Cipher = ssl.NegotiatedCipherSuite;

        _reader = ReadLoopAsync(ssl);
        var join = new byte[_room.Length + 8];
        if (!await WriteAsync(join.AsMemory(0, ChatFormatter.Join(join, _room)), ct).ConfigureAwait(false)) return false;
        bool joined;
        try { joined = await _joined.Task.WaitAsync(handshakeTimeout, ct).ConfigureAwait(false); }
        catch (TimeoutException) { return Fail("join-timeout"); }
        catch (OperationCanceledException) { return Fail("cancelled"); }
        if (!joined) return false; // the reader counted why (ERR or close)
        _alive = true;
        return true;
    }

    /// <summary>Sends <paramref name="messages"/> messages at their due times (Stopwatch ticks); stamps each with its due time.</summary>
    public async Task SendAsync(int messages, Func<int, int, long> dueOf, int messageSize, Action<string> sentInRoom, CancellationToken ct)
    {
        var text = new byte[Math.Max(messageSize, MessageStamp.MaxBytes)];
        var line = new byte[ChatFormatter.MsgLength(_room.Length, text.Length)];
        for (var seq = 0; seq < messages && _alive; seq++)
        {
            var due = dueOf(Index, seq);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                try { await Task.Delay(wait, ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
            // Latency counts from the due time (a late send is the generator's delay, not hidden), but never from
            // before the send: Task.Delay's wake-up is coarse, so a message may go out up to 1 ms early.
            var now = Stopwatch.GetTimestamp();
            var n = new MessageStamp(Index, seq, Math.Max(due, now)).Write(text, messageSize);
            var length = ChatFormatter.Msg(line, _room, text.AsSpan(0, n));
            recorder.RecordSendLag(Micros(due, now));
            if (!await WriteAsync(line.AsMemory(0, length), ct).ConfigureAwait(false)) return;
            recorder.MessageSent();
            sentInRoom(Room);
        }
    }

    /// <summary>Says QUIT and closes; waits briefly for the server's close so the server counts a clean quit.</summary>
    public async ValueTask DisposeAsync()
    {
        _quitting = true;
        _alive = false;
        if (_ssl is { } ssl && _reader is { } reader)
        {
            var quit = new byte[8];
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await ssl.WriteAsync(quit.AsMemory(0, ChatFormatter.Quit(quit)), cts.Token).ConfigureAwait(false);
                await reader.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or TimeoutException or ObjectDisposedException
                or InvalidOperationException) { }
        }
        if (_ssl is not null) await _ssl.DisposeAsync().ConfigureAwait(false);
        else _socket?.Dispose();
    }

    private async Task ReadLoopAsync(SslStream ssl)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        var filled = 0;
        try
        {
            while (true)
            {
                int n;
                try { n = await ssl.ReadAsync(buffer.AsMemory(filled), CancellationToken.None).ConfigureAwait(false); }
                catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException) { n = -1; }
                if (n <= 0)
                {
                    if (!_quitting) Lost("server-closed");
                    return;
                }
                filled += n;
                var used = 0;
                while (true)
                {
                    var status = ChatFraming.TryReadLine(buffer.AsSpan(used, filled - used), MaxServerLine, out var line, out var consumed);
                    if (status == FrameStatus.NeedMore) break;
                    if (status == FrameStatus.TooLong) { Lost("server-line-too-long"); return; }
                    OnLine(line);
                    used += consumed;
                }
                // Keep the partial line at the front (it is short: lines are bounded).
                buffer.AsSpan(used, filled - used).CopyTo(buffer);
                filled -= used;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _joined.TrySetResult(false);
        }
    }

    private void OnLine(ReadOnlySpan<byte> line)
    {
        var now = Stopwatch.GetTimestamp();
        var reply = ChatParser.ParseServer(line);
        switch (reply.Reply)
        {
            case ServerReply.Msg:
                if (!reply.Name.SequenceEqual(_room) || !MessageStamp.TryRead(reply.Text, out var stamp))
                {
                    recorder.Failure("foreign-message");
                    return;
                }
                Interlocked.Increment(ref _received);
                recorder.Received(stamp.Client == Index, Micros(stamp.DueTicks, now));
                break;
            case ServerReply.Joined:
                _joined.TrySetResult(true);
                break;
            case ServerReply.Err:
                recorder.Failure("server-err-" + Encoding.ASCII.GetString(reply.Name));
                _joined.TrySetResult(false);
                break;
            case ServerReply.Invalid:
                recorder.Failure("server-bad-line");
                break;
        }
    }

    private async Task<bool> WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        try
        {
            await _ssl!.WriteAsync(bytes, ct).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) { return false; }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            Lost("send-failed");
            return false;
        }
    }

    private void Lost(string kind)
    {
        var was = _alive;
        _alive = false;
        if (was || !_joined.Task.IsCompleted) recorder.Failure(kind);
        _joined.TrySetResult(false);
    }

    private bool Fail(string kind)
    {
        recorder.Failure(kind);
        return false;
    }

    private static string TcpFailure(SocketError e) => e switch
    {
        SocketError.ConnectionRefused => "tcp-refused",
        SocketError.TimedOut => "tcp-timeout",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostDown or SocketError.NetworkDown
            => "tcp-unreachable",
        SocketError.AddressAlreadyInUse or SocketError.AddressNotAvailable or SocketError.TooManyOpenSockets
            or SocketError.NoBufferSpaceAvailable => "tcp-local-resources",
        _ => "tcp-" + e.ToString().ToLowerInvariant(),
    };

    internal static long Micros(long fromTicks, long toTicks) => (long)Stopwatch.GetElapsedTime(fromTicks, toTicks).TotalMicroseconds;
}
