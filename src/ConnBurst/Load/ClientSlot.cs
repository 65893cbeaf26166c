using System.Net.Sockets;
using ConnBurst.Tls;

namespace ConnBurst.Load;

/// <summary>Where a client is in its cycle. Transitions are compare-and-swap between the connection's own I/O and the heartbeat.</summary>
internal enum ClientState
{
    /// <summary>Waiting for the pacer (first wave, or queued for a reconnect).</summary>
    Waiting,
    /// <summary>TCP, TLS or CONNECT/CONNACK in flight; the heartbeat enforces the connect timeout.</summary>
    Connecting,
    /// <summary>CONNACK received; idle with one pending zero-byte read, keepalive and linger deadlines on the heartbeat.</summary>
    Connected,
    /// <summary>We are sending DISCONNECT and closing (linger over, or the run ends).</summary>
    Closing,
    /// <summary>Closed; the heartbeat queues it for the pacer when its reconnect delay is over.</summary>
    ReconnectWait,
    /// <summary>Finished for this run.</summary>
    Done,
}

/// <summary>
/// One client's entry in the connection registry. It owns no timer, task or buffer while idle: its deadlines are
/// plain timestamps that the scheduler's heartbeat compares on its tick (DESIGN.md decision 4).
/// </summary>
internal sealed class ClientSlot(int local, int global)
{
    public readonly int Local = local;
    public readonly int Global = global;
    public int State; // ClientState, as int for Interlocked
    /// <summary>Connecting: the connect timeout. Connected: the linger end (long.MaxValue: none). ReconnectWait: when to queue.</summary>
    public long Deadline;
    /// <summary>Connected: when to send the next PINGREQ.</summary>
    public long NextPing;
    /// <summary>Connected: by when the PINGRESP to our last PINGREQ must arrive; 0 when none is owed.</summary>
    public long PongDue;
    /// <summary>Set by the heartbeat before it aborts a held connection whose PINGRESP never came.</summary>
    public volatile bool KeepaliveExpired;
    /// <summary>Set by the heartbeat before it aborts an attempt that ran past its deadline.</summary>
    public volatile bool TimedOut;
    public Socket? Socket;
    public ITlsClientConnection? Tls;
    public int Connects;

    public ClientState Current => (ClientState)Volatile.Read(ref State);

    public bool TryMove(ClientState from, ClientState to) =>
        Interlocked.CompareExchange(ref State, (int)to, (int)from) == (int)from;

    public void Set(ClientState to) => Volatile.Write(ref State, (int)to);

    /// <summary>Closes the socket under whatever is in flight; the pending operation fails and the owner sorts the outcome.</summary>
    public void Abort()
    {
        try { Tls?.Dispose(); } catch (Exception) { /* best effort: already closing */ }
        try { Socket?.Dispose(); } catch (Exception) { }
    }
}
