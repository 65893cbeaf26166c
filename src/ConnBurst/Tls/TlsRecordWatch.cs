namespace ConnBurst.Tls;

/// <summary>
/// The stream under an SslStream, watched for TLS records: once <see cref="MarkHandshakeDone"/> was called, it completes
/// <see cref="RecordProcessed"/> when the SslStream asks for more bytes with a whole record received since and none half
/// received, which means it read that record (a TLS 1.3 session ticket, which SslStream never surfaces) without an error.
/// An alert read would have failed the SslStream's read instead of asking for more.
/// </summary>
internal sealed class TlsRecordWatch(Stream inner) : Transport.UnseekableStream
{
    private const int HeaderLength = 5;
    private readonly byte[] _header = new byte[HeaderLength];
    private int _headerFill;
    private int _bodyLeft;
    private long _records;
    private long _recordsAtHandshake = -1;
    private readonly TaskCompletionSource _processed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task RecordProcessed => _processed.Task;

    public void MarkHandshakeDone() => Volatile.Write(ref _recordsAtHandshake, Volatile.Read(ref _records));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        BeforeRead();
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Count(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        BeforeRead();
        var n = inner.Read(buffer);
        Count(buffer[..n]);
        return n;
    }

    private void BeforeRead()
    {
        var mark = Volatile.Read(ref _recordsAtHandshake);
        if (mark >= 0 && _records > mark && _headerFill == 0 && _bodyLeft == 0) _processed.TrySetResult();
    }

    /// <summary>Follows the record framing (a 5-byte header whose last two bytes are the body's length) over the bytes read.</summary>
    private void Count(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_bodyLeft > 0)
            {
                var take = Math.Min(_bodyLeft, bytes.Length);
                _bodyLeft -= take;
                bytes = bytes[take..];
                if (_bodyLeft == 0) Volatile.Write(ref _records, _records + 1);
                continue;
            }
            var h = Math.Min(HeaderLength - _headerFill, bytes.Length);
            bytes[..h].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += h;
            bytes = bytes[h..];
            if (_headerFill < HeaderLength) return;
            _headerFill = 0;
            _bodyLeft = (_header[3] << 8) | _header[4];
            if (_bodyLeft == 0) Volatile.Write(ref _records, _records + 1);
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override void Flush() => inner.Flush();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
