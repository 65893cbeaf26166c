using System.Collections.Concurrent;

namespace ConnBurst.Common;

/// <summary>
/// Items one thread hands to another that waits for them, the waiter blocking at once. It replaces
/// <c>BlockingCollection</c>, whose take spins before it blocks (SemaphoreSlim: about 140 spins, most of them a
/// <c>sched_yield</c>): 65 system calls a snapshot on an idle burst's snapshot thread. docs/DECISIONS.md, "Common: our own waits block at
/// once": idle means blocked.
/// </summary>
internal sealed class HandOffQueue<T> : IDisposable
{
    private readonly ConcurrentQueue<T> _items = new();
    private readonly ManualResetEventSlim _ready = new(false, spinCount: 0);
    private volatile bool _completed;

    public void Add(T item)
    {
        _items.Enqueue(item);
        _ready.Set();
    }

    /// <summary>No more items will come: the consumer ends once it has taken what is queued.</summary>
    public void CompleteAdding()
    {
        _completed = true;
        _ready.Set();
    }

    /// <summary>Yields items in order as they come, blocking between them, until <see cref="CompleteAdding"/>.</summary>
    public IEnumerable<T> GetConsumingEnumerable()
    {
        while (true)
        {
            while (_items.TryDequeue(out var item)) yield return item;
            if (_completed && _items.IsEmpty) yield break;
            // Reset before draining again: an Add after the reset sets it anew, so no wake-up is lost.
            _ready.Wait();
            _ready.Reset();
        }
    }

    public void Dispose() => _ready.Dispose();
}
