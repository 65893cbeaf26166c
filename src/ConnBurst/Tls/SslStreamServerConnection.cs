using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using ConnBurst.Transport;

namespace ConnBurst.Tls;

/// <summary>
/// The SslStream engine of a server connection: a <see cref="PeerCheckedSslStream"/> over a <see cref="SocketStream"/>,
/// authenticated with the factory's shared options, its record buffers released when idle (<see cref="OpenSslBuffers"/>).
/// </summary>
internal sealed class SslStreamServerConnection(Socket socket, SslServerAuthenticationOptions options) : ITlsServerConnection
{
    private readonly PeerCheckedSslStream _stream = new(new SocketStream(socket));

    public PeerRefusal Refusal => _stream.PeerChecked ? _stream.Refusal : PeerRefusal.None;
    public SslProtocols Protocol => _stream.SslProtocol;

    public async ValueTask<ServerHandshakeOutcome> HandshakeAsync()
    {
        try
        {
            await _stream.AuthenticateAsServerAsync(options, CancellationToken.None).ConfigureAwait(false);
            // Idle connections then hold no OpenSSL record buffers (about 34 KB each).
            OpenSslBuffers.ReleaseWhenIdle(_stream);
            return ServerHandshakeOutcome.Ok;
        }
        catch (Exception e) when (
            e is AuthenticationException or IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // Sorted, never rethrown (Kestrel's HttpsConnectionMiddleware): the certificate verdict first, then how it ended.
            return Refusal != PeerRefusal.None ? ServerHandshakeOutcome.Refused
                : e is AuthenticationException ? ServerHandshakeOutcome.TlsError
                : ServerHandshakeOutcome.Closed;
        }
    }

    public ValueTask<int> ReadAsync(Memory<byte> buffer) => _stream.ReadAsync(buffer);

    public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
        _stream.WriteAsync(bytes, cancellationToken);

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}
