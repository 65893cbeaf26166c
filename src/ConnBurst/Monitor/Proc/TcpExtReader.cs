namespace ConnBurst.Monitor.Proc;

/// <summary>
/// The kernel's listen-queue counters from /proc/net/netstat (TcpExt, per network namespace), as counts per interval:
/// a connection the accept queue had no room for (ListenOverflows), any SYN or handshake-completing ACK the listener
/// dropped, overflows included (ListenDrops), and a SYN dropped because the SYN queue was full without SYN cookies
/// (TCPReqQFullDrop). They are the one trace a full backlog leaves: the accept queue's own length is capped at the
/// backlog, so it alone cannot say that connections were turned away.
/// <code>
/// TcpExt: SyncookiesSent SyncookiesRecv ... ListenOverflows ListenDrops ... TCPReqQFullDrop ...
/// TcpExt: 0 0 ... 12 12 ... 0 ...
/// </code>
/// The counters are machine-wide (every listener in the namespace), which the summary says where it quotes them.
/// </summary>
internal sealed class TcpExtReader(string path = "/proc/net/netstat") : IDisposable
{
    private static readonly byte[][] Names = ["ListenOverflows"u8.ToArray(), "ListenDrops"u8.ToArray(), "TCPReqQFullDrop"u8.ToArray()];
    private readonly ProcFile _file = new(path);
    private readonly long[] _last = new long[Names.Length];
    private readonly long[] _now = new long[Names.Length];
    private readonly int[] _at = [-1, -1, -1];
    private bool _primed;

    public long ListenOverflows { get; private set; }
    public long ListenDrops { get; private set; }
    public long ReqQFullDrops { get; private set; }

    /// <summary>Reads the counters; the properties hold the increase since the previous call (0 on the first).</summary>
    public bool Sample()
    {
        if (!_file.Begin()) return false;
        var found = false;
        while (_file.TryReadLine(out var header))
        {
            if (!header.StartsWith("TcpExt:"u8)) continue;
            if (_at[0] < 0) Locate(header); // before the next read: the line's span is valid until then
            if (!_file.TryReadLine(out var values)) break;
            var c = new FieldCursor(values);
            c.Skip(1);
            for (var i = 0; c.Next(out var field); i++)
            {
                for (var k = 0; k < _at.Length; k++)
                    if (_at[k] == i) _now[k] = FieldCursor.ParseLong(field);
            }
            found = true;
            break;
        }
        if (!found) return false;
        ListenOverflows = _primed ? Math.Max(0, _now[0] - _last[0]) : 0;
        ListenDrops = _primed ? Math.Max(0, _now[1] - _last[1]) : 0;
        ReqQFullDrops = _primed ? Math.Max(0, _now[2] - _last[2]) : 0;
        _now.AsSpan().CopyTo(_last);
        _primed = true;
        return true;
    }

    private void Locate(ReadOnlySpan<byte> header)
    {
        var c = new FieldCursor(header);
        c.Skip(1);
        for (var i = 0; c.Next(out var name); i++)
        {
            for (var k = 0; k < Names.Length; k++)
                if (name.SequenceEqual(Names[k])) _at[k] = i;
        }
    }

    public void Dispose() => _file.Dispose();
}
