using ConnBurst.Chat;

namespace ConnBurst.Servers.Chat;

/// <summary>
/// What the chat server counts, updated with Interlocked from every connection and read by the periodic print-out.
/// Handshake counts by protocol are how a test asserts which TLS version the SERVER negotiated.
/// </summary>
internal sealed class ChatServerCounters
{
    private long _sessions, _current, _tls12, _tls13, _messagesIn, _linesOut, _slowDropped, _joins, _quits;
    private readonly long[] _errors = new long[Enum.GetValues<ChatError>().Length];

    public long Sessions => Interlocked.Read(ref _sessions);
    public long Current => Interlocked.Read(ref _current);
    public long Tls12 => Interlocked.Read(ref _tls12);
    public long Tls13 => Interlocked.Read(ref _tls13);
    public long MessagesIn => Interlocked.Read(ref _messagesIn);
    /// <summary>Broadcast lines queued to members (one MSG in a room of N is N out).</summary>
    public long MessagesOut => Interlocked.Read(ref _linesOut);
    public long SlowReadersDropped => Interlocked.Read(ref _slowDropped);
    public long Joins => Interlocked.Read(ref _joins);
    public long Quits => Interlocked.Read(ref _quits);
    public long Errors(ChatError e) => Interlocked.Read(ref _errors[(int)e]);

    public void SessionOpened(System.Security.Authentication.SslProtocols protocol)
    {
        Interlocked.Increment(ref _sessions);
        Interlocked.Increment(ref _current);
        if (protocol == System.Security.Authentication.SslProtocols.Tls13) Interlocked.Increment(ref _tls13);
        else if (protocol == System.Security.Authentication.SslProtocols.Tls12) Interlocked.Increment(ref _tls12);
    }

    public void SessionClosed() => Interlocked.Decrement(ref _current);
    public void MessageIn() => Interlocked.Increment(ref _messagesIn);
    public void LinesOut(int n) => Interlocked.Add(ref _linesOut, n);
    public void SlowReaderDropped() => Interlocked.Increment(ref _slowDropped);
    public void Joined() => Interlocked.Increment(ref _joins);
    public void Quit() => Interlocked.Increment(ref _quits);
    public void Error(ChatError e) => Interlocked.Increment(ref _errors[(int)e]);

    /// <summary>One line for the log: <c>sessions=.. current=.. tls1.2=.. tls1.3=.. rooms=.. in=.. out=.. slow-dropped=..
    /// err{..}</c>.</summary>
    public string Describe(int rooms)
    {
        var errs = string.Join(' ', ChatErrors.All.Where(e => Errors(e) > 0).Select(e => $"{ChatErrors.Token(e)}={Errors(e)}"));
        return $"sessions={Sessions} current={Current} tls1.2={Tls12} tls1.3={Tls13} rooms={rooms} joins={Joins} " +
               $"messages-in={MessagesIn} " +
               $"messages-out={MessagesOut} slow-dropped={SlowReadersDropped} quits={Quits}" + (errs.Length > 0 ? " errors: " + errs : "");
    }
}
