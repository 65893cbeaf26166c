using System.Security.Authentication;

namespace ConnBurst.Tls;

/// <summary>How a server-side handshake ended; the transport adds "timeout" when it aborted the connection itself.</summary>
internal enum ServerHandshakeOutcome
{
    Ok,
    /// <summary>The peer's certificate was refused (or missing when required): <see cref="ITlsServerConnection.Refusal"/> says
    /// why.</summary>
    Refused,
    /// <summary>TLS itself failed: no common protocol or cipher, a bad record, an alert from the peer.</summary>
    TlsError,
    /// <summary>The connection closed or reset mid-handshake (or was closed under it).</summary>
    Closed,
}

/// <summary>
/// One accepted connection's TLS, whichever engine runs it (<see cref="TlsEngine"/>): the transport and the protocol
/// session above it see only this. Failures of the handshake are outcomes, not exceptions. A zero-length read waits
/// until a read would not block, holding no buffer. Dispose closes the TLS state and the socket.
/// </summary>
internal interface ITlsServerConnection : IAsyncDisposable
{
    ValueTask<ServerHandshakeOutcome> HandshakeAsync();

    /// <summary>Why the peer's certificate was refused; <see cref="PeerRefusal.None"/> unless the outcome was Refused.</summary>
    PeerRefusal Refusal { get; }

    /// <summary>The negotiated protocol, once the handshake succeeded.</summary>
    SslProtocols Protocol { get; }

    /// <summary>Bytes read, or 0 at end of stream. With an empty buffer: waits until a read would not block. I/O errors throw
    /// IOException.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer);

    /// <summary>Writes all of <paramref name="bytes"/>; a dead peer throws IOException or ObjectDisposedException.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default);
}
