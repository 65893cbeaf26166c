using System.Net.Sockets;

namespace ConnBurst.Transport;

/// <summary>
/// The stream under a server's SslStream: a Socket read and written through two reused <see cref="SocketAsyncEventArgs"/>,
/// where a reset or aborted connection reads as end-of-stream instead of throwing. NetworkStream turns every ECONNRESET into
/// an IOException whose stack trace is captured with source-line info; profiles of <c>serve mqtt</c> under
/// <c>openssl s_time -new</c> (which resets every connection) showed that at about 10% of the server's CPU
/// (docs/DECISIONS.md "Transport: a socket stream that does not throw on reset"). Writes to a dead peer still throw
/// (SslStream needs to know), but those are rare: a benchmark client waits for our reply.
/// </summary>
internal sealed class SocketStream(Socket socket) : UnseekableStream
{
    private readonly SocketOperation _receive = new();
    private readonly SocketOperation _send = new();
    private int _disposed;

    public Socket Socket => socket;

    /// <summary>Bytes read, or 0 at end of stream, on reset, or after the socket was closed under us.</summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _receive.ReceiveAsync(socket, buffer);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var (sent, error) = await _send.SendAsync(socket, buffer).ConfigureAwait(false);
            if (error != SocketError.Success) throw new IOException($"send failed: {error}", new SocketException((int)error));
            buffer = buffer[sent..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = socket.Receive(buffer, SocketFlags.None, out var error);
        return error == SocketError.Success ? n : 0;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var n = socket.Send(buffer, SocketFlags.None, out var error);
            if (error != SocketError.Success) throw new IOException($"send failed: {error}", new SocketException((int)error));
            buffer = buffer[n..];
        }
    }

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            socket.Dispose();
            _receive.Dispose();
            _send.Dispose();
        }
        base.Dispose(disposing);
    }
}
