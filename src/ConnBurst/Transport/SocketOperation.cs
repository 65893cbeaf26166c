using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace ConnBurst.Transport;

/// <summary>
/// One reusable socket operation awaited as a ValueTask: no allocation per I/O, errors as values (a reset or a socket
/// closed under it reads as 0 bytes). Used by <see cref="SocketStream"/>, and by the native TLS server engine for its
/// zero-byte "wait until readable".
/// </summary>
internal sealed class SocketOperation : SocketAsyncEventArgs, IValueTaskSource<int>
{
    private ManualResetValueTaskSourceCore<int> _core = new() { RunContinuationsAsynchronously = false };
    private SocketError _lastError;

    public SocketOperation() : base(unsafeSuppressExecutionContextFlow: true) { }

    public ValueTask<int> ReceiveAsync(Socket socket, Memory<byte> buffer)
    {
        _core.Reset();
        SetBuffer(buffer);
        try
        {
            if (socket.ReceiveAsync(this)) return new ValueTask<int>(this, _core.Version);
        }
        catch (ObjectDisposedException) { return new ValueTask<int>(0); }
        return new ValueTask<int>(SocketError == SocketError.Success ? BytesTransferred : 0);
    }

    public async ValueTask<(int Sent, SocketError Error)> SendAsync(Socket socket, ReadOnlyMemory<byte> buffer)
    {
        _core.Reset();
        SetBuffer(System.Runtime.InteropServices.MemoryMarshal.AsMemory(buffer));
        bool pending;
        try { pending = socket.SendAsync(this); }
        catch (ObjectDisposedException) { return (0, SocketError.OperationAborted); }
        if (!pending) return (BytesTransferred, SocketError);
        var n = await new ValueTask<int>(this, _core.Version).ConfigureAwait(false);
        return (n, _lastError);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        _lastError = SocketError;
        // A receive that ended in an error is end-of-stream for the reader; a send reports the error in _lastError.
        _core.SetResult(SocketError == SocketError.Success ? BytesTransferred : 0);
    }

    public int GetResult(short token) => _core.GetResult(token);
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
