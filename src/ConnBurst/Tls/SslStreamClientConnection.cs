using System.Net.Security;
using System.Net.Sockets;

namespace ConnBurst.Tls;

/// <summary>The <see cref="TlsEngine.SslStream"/> client: SslStream over the socket, with a factory's shared options.</summary>
internal sealed class SslStreamClientConnection(Socket socket, SslClientAuthenticationOptions options) : ITlsClientConnection
{
    private readonly SslStream _ssl = new(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);

    public ValueTask HandshakeAsync(CancellationToken cancellationToken = default) =>
        new(_ssl.AuthenticateAsClientAsync(options, cancellationToken));

    public ValueTask<int> ReadAsync(Memory<byte> buffer) => _ssl.ReadAsync(buffer);

    public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes) => _ssl.WriteAsync(bytes);

    public ValueTask CloseNotifyAsync() => new(_ssl.ShutdownAsync());

    public bool? IsResumed => null; // SslStream does not say

    public void Dispose() => _ssl.Dispose();
}
