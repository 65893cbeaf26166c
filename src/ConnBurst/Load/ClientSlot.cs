using System.Net.Sockets;
using ConnBurst.Tls;
using ConnBurst.Tls.OpenSsl;

namespace ConnBurst.Load;

/// <summary>Where a client is in its cycle. Transitions are compare-and-swap between the connection's own I/O and the heartbeat.</summary>
internal enum ClientState
{
    /// <summary>Waiting for the pacer (first wave, or queued for a reconnect).</summary>
    Waiting,
    /// <summary>TCP, TLS or CONNECT/CONNACK in flight; the heartbeat enforces the connect timeout.</summary>
    Connecting,
    /// <summary>CONNACK received (TLS only: handshake done); idle with one pending zero-byte read, keepalive and linger deadlines on the
    /// heartbeat.</summary>
    Connected,
    /// <summary>We are sending DISCONNECT and closing (linger over, or the run ends).</summary>
    Closing,
    /// <summary>Closed; the heartbeat queues it for the pacer when its reconnect delay is over.</summary>
    ReconnectWait,
    /// <summary>Finished for this run.</summary>
    Done,
}

/// <summary>Where an event loop's connection is, from the connect to the hold.</summary>
internal enum LoopPhase : byte
{
    /// <summary>Non-blocking connect(2) started; writable means it finished (SO_ERROR says how).</summary>
    TcpConnect,
    /// <summary>TLS handshake steps, each run when the socket is ready.</summary>
    Handshake,
    /// <summary>CONNECT encoded in <see cref="ClientSlot.Buffer"/>, its write waiting for room (rare).</summary>
    SendConnect,
    /// <summary>CONNECT sent; reading the CONNACK.</summary>
    ConnackWait,
    /// <summary>TLS only over TLS 1.3: handshake done, waiting for what the server sends after it (ticket, data or alert).</summary>
    Confirming,
    /// <summary>CONNACK received (TLS only: handshake done, and confirmed on TLS 1.3): idle, reading only PINGRESP or the server's
    /// DISCONNECT.</summary>
    Held,
}

/// <summary>
/// One client's entry in the connection registry. It owns no timer, task or buffer while idle: its deadlines are
/// plain timestamps that the scheduler's heartbeat compares on its tick (docs/DECISIONS.md, "One clock for every connection").
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

    // The event loop's connection (BurstEngine.Loop.cs): its descriptor and native session, owned by one loop thread.
    /// <summary>The open descriptor, or -1.</summary>
    public int Fd = -1;
    public OpenSslClientSession? Session;
    public LoopPhase Phase;
    /// <summary>Attempts started: tells an event for this attempt's descriptor from one left over from an earlier attempt.</summary>
    public int Attempts;
    /// <summary>When this attempt was due, started, and finished TCP and TLS (timestamp ticks): the phase latencies.</summary>
    public long DueTicks, StartTicks, TcpDone, TlsDone;
    /// <summary>A staged run's stage the current attempt's due time falls in (its counts and latencies go there).</summary>
    public int Stage;
    /// <summary>Rented only between CONNECT and CONNACK (a CONNACK may arrive split); null while held.</summary>
    public byte[]? Buffer;
    /// <summary>Bytes of <see cref="Buffer"/> filled (awaiting CONNACK), or to send (a CONNECT whose write must wait).</summary>
    public int Filled;

    public ClientState Current => (ClientState)Volatile.Read(ref State);

    public bool TryMove(ClientState from, ClientState to) =>
        Interlocked.CompareExchange(ref State, (int)to, (int)from) == (int)from;

    public void Set(ClientState to) => Volatile.Write(ref State, (int)to);

    /// <summary>
    /// An attempt leaves: connecting until <paramref name="deadline"/>, with nothing of the last hold left. The thread-pool path
    /// moves to Connected before it arms the new hold, and the heartbeat walks from another thread in between: a ping time or
    /// owed PINGRESP left from the last cycle would send a PINGREQ (even with TLS only) or close the new connection as a lost
    /// keepalive, counted as the server's disconnect.
    /// </summary>
    public void StartAttempt(long deadline)
    {
        TimedOut = false;
        KeepaliveExpired = false;
        NextPing = long.MaxValue;
        PongDue = 0;
        Deadline = deadline;
        Set(ClientState.Connecting);
    }

    /// <summary>Closes the socket under whatever is in flight; the pending operation fails and the owner sorts the outcome.</summary>
    public void Abort()
    {
        try { Tls?.Dispose(); } catch (Exception) { /* best effort: already closing */ }
        try { Socket?.Dispose(); } catch (Exception) { }
    }
}
