using ConnBurst.Results;

namespace ConnBurst.Monitor.Proc;

/// <summary>
/// The TCP sockets on one port, from /proc/net/tcp and /proc/net/tcp6: how many are in each state, and the
/// Recv-Q/Send-Q sums and maxima that `netstat -tn` shows. A growing Recv-Q on the server's sockets means the
/// server is not reading; a growing Send-Q means the peer is not.
/// <code>
///   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
///    0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1079 1 000000009298e9a0 100 0 0 10 0
///    1: 0100007F:1F90 0100007F:A2B4 01 00000000:0001F4A0 00:00000000 00000000     0        0 2214 1 ...
/// </code>
/// Addresses are hex IP:port (tcp6 has 32 hex digits of address); st is the state in hex; tx_queue is Send-Q
/// and rx_queue Recv-Q in bytes, except on a LISTEN socket where rx_queue is the accept queue (connections
/// the server has not yet accepted) and tx_queue the backlog limit.
/// The same figures come first from the kernel's sock_diag netlink interface (<see cref="SockDiagTcpDump"/>, the
/// interface `ss` uses): reading /proc/net/tcp6 walks the whole established hash table and costs about 6 ms of
/// kernel CPU per read here even with no IPv6 sockets, which alone would break the monitor's 1% budget
/// (docs/DECISIONS.md). /proc is the fallback when netlink is refused.
/// Sockets whose LOCAL port is the port are the server side. Sockets whose REMOTE port is the port are clients
/// on this machine (a load generator on the same host), counted separately as the peer side.
/// </summary>
internal sealed class TcpSocketReader : IDisposable
{
    private readonly ProcFile _tcp4;
    private readonly ProcFile _tcp6;

    private SockDiagTcpDump? _diag;

    /// <param name="useNetlink">Ask the kernel through NETLINK_SOCK_DIAG (what `ss` does) before reading /proc.</param>
    public TcpSocketReader(int port, string tcp4 = "/proc/net/tcp", string tcp6 = "/proc/net/tcp6", bool useNetlink = true)
    {
        Port = port;
        _diag = useNetlink ? SockDiagTcpDump.TryOpen(port) : null;
        _tcp4 = new ProcFile(tcp4, bufferSize: 64 * 1024);
        _tcp6 = new ProcFile(tcp6, bufferSize: 64 * 1024);
    }

    public int Port { get; }

    /// <summary>Server-side sockets by state, indexed by <see cref="TcpState"/>.</summary>
    public long[] States { get; } = new long[TcpStates.Count];
    public long RecvQSum { get; private set; }
    public long RecvQMax { get; private set; }
    public long SendQSum { get; private set; }
    public long SendQMax { get; private set; }
    /// <summary>Connections waiting in the listen socket's accept queue.</summary>
    public long AcceptQueue { get; private set; }
    /// <summary>The listen socket's backlog: the most connections its accept queue holds (min of listen()'s argument and
    /// net.core.somaxconn), the largest over listeners on the port.</summary>
    public long ListenBacklog { get; private set; }
    public long PeerSockets { get; private set; }
    public long PeerRecvQSum { get; private set; }
    public long PeerSendQSum { get; private set; }

    /// <summary>Where the last sample came from: "netlink" (sock_diag) or "proc" (/proc/net/tcp and tcp6).</summary>
    public string Source { get; private set; } = "proc";

    public bool Sample()
    {
        Reset();
        if (_diag is not null)
        {
            if (_diag.Dump(this))
            {
                Source = "netlink";
                return true;
            }
            // Refused (a sandbox without NETLINK_SOCK_DIAG): fall back to /proc for good.
            _diag.Dispose();
            _diag = null;
            Reset();
        }
        Source = "proc";
        var any = Read(_tcp4);
        any |= Read(_tcp6);
        return any;
    }

    private void Reset()
    {
        Array.Clear(States);
        RecvQSum = RecvQMax = SendQSum = SendQMax = AcceptQueue = ListenBacklog = PeerSockets = PeerRecvQSum = PeerSendQSum = 0;
    }

    private bool Read(ProcFile file)
    {
        if (!file.Begin()) return false;
        var header = true;
        while (file.TryReadLine(out var line))
        {
            if (header) { header = false; continue; }
            Parse(line);
        }
        return true;
    }

    private void Parse(ReadOnlySpan<byte> line)
    {
        var c = new FieldCursor(line);
        c.Skip(1); // sl
        if (!c.Next(out var local) || !c.Next(out var remote) || !c.Next(out var st) || !c.Next(out var queues)) return;
        var localPort = PortOf(local);
        var remotePort = PortOf(remote);
        if (localPort != Port && remotePort != Port) return;
        var colon = queues.IndexOf((byte)':');
        if (colon < 0) return;
        Count(localPort, (int)FieldCursor.ParseHex(st), FieldCursor.ParseHex(queues[(colon + 1)..]), FieldCursor.ParseHex(queues[..colon]));
    }

    /// <summary>Counts one socket that has <see cref="Port"/> as its local or remote port.</summary>
    internal void Count(int localPort, int state, long recvQ, long sendQ)
    {
        if (localPort == Port)
        {
            if (state is > 0 and < TcpStates.Count) States[state]++;
            else States[0]++;
            if (state == (int)TcpState.Listen)
            {
                AcceptQueue += recvQ;
                ListenBacklog = Math.Max(ListenBacklog, sendQ);
                return;
            }
            RecvQSum += recvQ;
            SendQSum += sendQ;
            RecvQMax = Math.Max(RecvQMax, recvQ);
            SendQMax = Math.Max(SendQMax, sendQ);
        }
        else
        {
            PeerSockets++;
            PeerRecvQSum += recvQ;
            PeerSendQSum += sendQ;
        }
    }

    private static int PortOf(ReadOnlySpan<byte> address)
    {
        var colon = address.LastIndexOf((byte)':');
        return colon < 0 ? -1 : (int)FieldCursor.ParseHex(address[(colon + 1)..]);
    }

    public void Dispose()
    {
        _tcp4.Dispose();
        _tcp6.Dispose();
        _diag?.Dispose();
    }
}

/// <summary>TCP states as /proc/net/tcp numbers them (include/net/tcp_states.h).</summary>
internal enum TcpState
{
    Other = 0, Established = 1, SynSent = 2, SynRecv = 3, FinWait1 = 4, FinWait2 = 5, TimeWait = 6,
    Close = 7, CloseWait = 8, LastAck = 9, Listen = 10, Closing = 11, NewSynRecv = 12,
}

internal static class TcpStates
{
    public const int Count = 13;

    /// <summary>Series names, in <see cref="TcpState"/> order.</summary>
    public static readonly string[] Names =
        ["other", "established", "synSent", "synRecv", "finWait1", "finWait2", "timeWait", "close", "closeWait", "lastAck", "listen",
            "closing", "newSynRecv"];
}
