using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace ConnBurst.Tls;

/// <summary>
/// The <see cref="TlsEngine.SslStream"/> client: SslStream over the socket, with a factory's shared options. The stream
/// under it is watched for TLS records (<see cref="TlsRecordWatch"/>), so a TLS 1.3 session ticket, which SslStream reads
/// and never shows, can confirm the handshake (<see cref="ConfirmAsync"/>).
/// </summary>
internal sealed class SslStreamClientConnection : ITlsClientConnection
{
    private readonly TlsRecordWatch _watch;
    private readonly SslStream _ssl;
    private readonly SslClientAuthenticationOptions _options;
    /// <summary>The read <see cref="ConfirmAsync"/> started, which the next <see cref="ReadAsync"/> takes over, and what it read.</summary>
    private Task<int>? _confirmRead;
    private byte[] _confirmBytes = [];
    private int _confirmOffset, _confirmCount;

    public SslStreamClientConnection(Socket socket, SslClientAuthenticationOptions options)
    {
        _watch = new TlsRecordWatch(new NetworkStream(socket, ownsSocket: true));
        _ssl = new SslStream(_watch, leaveInnerStreamOpen: false);
        _options = options;
    }

    public async ValueTask HandshakeAsync(CancellationToken cancellationToken = default)
    {
        await _ssl.AuthenticateAsClientAsync(_options, cancellationToken).ConfigureAwait(false);
        _watch.MarkHandshakeDone();
    }

    public bool IsTls13 => _ssl.SslProtocol == SslProtocols.Tls13;

    public async ValueTask<TlsConfirmation> ConfirmAsync(TimeSpan bound)
    {
        if (!IsTls13) return TlsConfirmation.Accepted;
        _confirmBytes = new byte[256];
        var read = _confirmRead = _ssl.ReadAsync(_confirmBytes).AsTask();
        try
        {
            var first = await Task.WhenAny(read, _watch.RecordProcessed).WaitAsync(bound).ConfigureAwait(false);
            if (first != read) return TlsConfirmation.Accepted; // a record (a ticket) read without error, and no data yet
            return read.IsCompletedSuccessfully
                ? read.Result > 0 ? TlsConfirmation.Accepted : new TlsConfirmation(TlsVerdict.Refused)
                : new TlsConfirmation(TlsVerdict.Refused, read.Exception?.InnerException ?? read.Exception);
        }
        catch (TimeoutException)
        {
            return TlsConfirmation.Unconfirmed; // the read goes on: the next ReadAsync takes it over
        }
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer)
    {
        if (_confirmRead is { } pending)
        {
            _confirmRead = null;
            _confirmCount = await pending.ConfigureAwait(false);
            _confirmOffset = 0;
            if (_confirmCount == 0) return 0;
        }
        if (_confirmOffset < _confirmCount)
        {
            if (buffer.IsEmpty) return 0;
            var n = Math.Min(buffer.Length, _confirmCount - _confirmOffset);
            _confirmBytes.AsMemory(_confirmOffset, n).CopyTo(buffer);
            _confirmOffset += n;
            return n;
        }
        return await _ssl.ReadAsync(buffer).ConfigureAwait(false);
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes) => _ssl.WriteAsync(bytes);

    public ValueTask CloseNotifyAsync() => new(_ssl.ShutdownAsync());

    public bool? IsResumed => null; // SslStream does not say

    public void Dispose() => _ssl.Dispose();
}
