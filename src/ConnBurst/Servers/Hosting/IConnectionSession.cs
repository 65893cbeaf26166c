
using ConnBurst.Transport;

namespace ConnBurst.Servers.Hosting;

/// <summary>
/// A protocol session hosted by <see cref="TlsServerHost"/> (Garnet's IMessageConsumer shape). The transport knows nothing
/// of the protocol: it hands over decrypted bytes and the session says how many it used. Everything here runs on the
/// connection's read loop, one call at a time, except <see cref="CheckTimeout"/>, which the heartbeat calls.
/// </summary>
internal interface IConnectionSession
{
    /// <summary>
    /// Consumes received bytes and returns how many were used; a partial frame stays buffered and is offered again with more
    /// bytes appended. Replies are written to <see cref="ServerConnection.Output"/> and flushed when this returns;
    /// call <see cref="ServerConnection.CloseAfterFlush"/> to end the connection after that flush.
    /// </summary>
    int Consume(ReadOnlySpan<byte> data);

    /// <summary>
    /// Called by the one heartbeat (about once a second) on its own thread. Return a reason (e.g. "keepalive", "connect-timeout")
    /// to abort the connection, or null. Compare stored deadlines only: no I/O, no locks, no allocation.
    /// </summary>
    string? CheckTimeout(long nowMs);

    /// <summary>Called once when the connection is gone, with why.</summary>
    void OnClosed(ConnectionCloseReason reason);
}

/// <summary>Creates the session for a connection whose TLS handshake succeeded.</summary>
internal delegate IConnectionSession SessionFactory(ServerConnection connection);

/// <summary>Why a connection ended (after a successful handshake).</summary>
internal enum ConnectionCloseReason
{
    /// <summary>The peer closed its side (EOF or reset).</summary>
    PeerClosed,
    /// <summary>The session asked to close (protocol DISCONNECT, refused CONNECT, malformed packet).</summary>
    SessionClosed,
    /// <summary>The heartbeat found a deadline passed (keepalive, CONNECT timeout).</summary>
    Timeout,
    /// <summary>The server is shutting down.</summary>
    Shutdown,
    /// <summary>A frame grew past the transport's buffer cap, or an I/O error other than a reset.</summary>
    Error,
}
