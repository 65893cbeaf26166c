using System.Buffers;

namespace ConnBurst.Servers.Chat;

/// <summary>
/// One connection's bounded send queue. Producers (its own session, and every broadcaster in its rooms) enqueue whole
/// lines; at most one writer drains it. When the queue is full the enqueue fails and the connection is a slow reader:
/// it is dropped, and no broadcaster ever waits for it. An idle outbox owns no Task and no buffer: the writer is
/// started by the enqueue that finds it idle, rents its coalescing buffer per batch, and ends when the queue is empty.
/// <paramref name="write"/> returns false when the connection is gone (failures are data).
/// </summary>
internal sealed class ChatOutbox(int maxLines, int maxBytes, Func<ReadOnlyMemory<byte>, ValueTask<bool>> write, Action<bool> onWriterDone)
{
    private const int CoalesceBytes = 16 * 1024;

    private readonly Lock _gate = new();
    private readonly Queue<ReadOnlyMemory<byte>> _queue = new();
    private int _bytes;
    private bool _writing;
    private bool _closed;

    public int MaxLines { get; } = maxLines;
    public int MaxBytes { get; } = maxBytes;

    /// <summary>Lines waiting, for tests and counters.</summary>
    public int Pending { get { lock (_gate) return _queue.Count; } }

    /// <summary>Queues a line; false when the queue is full (slow reader) or the outbox is closed.</summary>
    public bool TryEnqueue(ReadOnlyMemory<byte> line)
    {
        bool startWriter;
        lock (_gate)
        {
            if (_closed) return false;
            if (_queue.Count >= MaxLines || _bytes + line.Length > MaxBytes) return false;
            _queue.Enqueue(line);
            _bytes += line.Length;
            startWriter = !_writing;
            _writing = true;
        }
        if (startWriter) _ = Task.Run(DrainAsync);
        return true;
    }

    /// <summary>Refuses further lines; what is queued is still written (ERR before a close).</summary>
    public void Close() { lock (_gate) _closed = true; }

    /// <summary>True when nothing is queued and no write is in flight.</summary>
    public bool IsIdle { get { lock (_gate) return !_writing; } }

    private async Task DrainAsync()
    {
        var ok = true;
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(CoalesceBytes);
                try
                {
                    ReadOnlyMemory<byte> single = default;
                    var used = 0;
                    lock (_gate)
                    {
                        if (_queue.Count == 0) { _writing = false; break; }
                        // Coalesce small lines into one TLS record; a line bigger than the buffer goes out alone.
                        while (_queue.TryPeek(out var next))
                        {
                            if (used == 0 && next.Length > buffer.Length) { single = _queue.Dequeue(); _bytes -= single.Length; break; }
                            if (used + next.Length > buffer.Length) break;
                            _queue.Dequeue();
                            _bytes -= next.Length;
                            next.Span.CopyTo(buffer.AsSpan(used));
                            used += next.Length;
                        }
                    }
                    if (!await write(single.IsEmpty ? buffer.AsMemory(0, used) : single).ConfigureAwait(false))
                    {
                        ok = false;
                        break;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            ok = false;
        }
        if (!ok)
            lock (_gate) { _closed = true; _writing = false; _queue.Clear(); _bytes = 0; }
        // Told every time the writer goes idle (true) or the connection failed under it (false).
        onWriterDone(ok);
    }
}
