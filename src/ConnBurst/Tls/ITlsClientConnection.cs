namespace ConnBurst.Tls;

/// <summary>
/// One client TLS connection over a connected socket, whichever engine runs it (<see cref="TlsEngine"/>). Reads and
/// writes may run at the same time (a held connection's pending read and a keepalive write); a zero-length read waits
/// until data or end-of-stream arrives without holding a buffer. Dispose closes the TLS state and the socket.
/// </summary>
internal interface ITlsClientConnection : IDisposable
{
    ValueTask HandshakeAsync(CancellationToken cancellationToken = default);

    /// <summary>Bytes read, or 0 at end of stream. With an empty buffer: waits until a read would not block.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer);

    ValueTask WriteAsync(ReadOnlyMemory<byte> bytes);

    /// <summary>Sends a TLS close_notify alert and does not wait for the server's; the caller closes next.</summary>
    ValueTask CloseNotifyAsync();

    /// <summary>After the handshake: whether it resumed a session; null when the engine cannot tell (SslStream).</summary>
    bool? IsResumed { get; }

    /// <summary>After the handshake: whether it negotiated TLS 1.3.</summary>
    bool IsTls13 { get; }

    /// <summary>
    /// After a TLS 1.3 handshake, which ends before the server has judged the client's certificate: waits at most
    /// <paramref name="bound"/> for what the server sends next (a ticket or data: accepted; an alert or a close: refused).
    /// Data read meanwhile is returned by the next <see cref="ReadAsync"/>. TLS 1.2: accepted at once.
    /// </summary>
    ValueTask<TlsConfirmation> ConfirmAsync(TimeSpan bound);
}
