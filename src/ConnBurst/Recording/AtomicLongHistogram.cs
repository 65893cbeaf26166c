using HdrHistogram;

namespace ConnBurst.Recording;

/// <summary>
/// A histogram that many threads may record into at once, and that is read only when nobody records into it: the
/// behind-the-swap histogram of an HdrHistogram <see cref="Recorder"/>, whose phase flip waits out every writer before
/// it hands the histogram over. HdrHistogram's Java AtomicHistogram, which the .NET port lacks.
/// </summary>
/// <remarks>
/// The port's <see cref="LongConcurrentHistogram"/> also makes every read safe against concurrent writes, with a lock
/// taken for each count read and each count cleared: 130,000 of each a snapshot interval for a burst's six phases. That
/// was 3% of a one-process generator's CPU at 150 connects/s with 1 s snapshots (bench/profile-generator.sh, snapshot
/// thread: <c>ClearCounts</c>, <c>GetCountAtIndex</c> and the runtime's lock helpers). Under a Recorder those locks
/// guard nothing, so here a count is an interlocked add to write and a plain read to read.
/// </remarks>
internal sealed class AtomicLongHistogram : HistogramBase
{
    private readonly long[] _counts;
    private long _totalCount;

    public AtomicLongHistogram(long instanceId, long lowestTrackableValue, long highestTrackableValue, int significantDigits)
        : base(instanceId, lowestTrackableValue, highestTrackableValue, significantDigits) =>
        _counts = new long[(BucketCount + 1) * (SubBucketCount / 2)]; // HdrHistogram's counts length (its own is internal)

    public override long TotalCount
    {
        get => Interlocked.Read(ref _totalCount);
        protected set => Interlocked.Exchange(ref _totalCount, value);
    }

    protected override int WordSizeInBytes => sizeof(long);

    protected override long MaxAllowableCount => long.MaxValue;

    public override HistogramBase Copy()
    {
        var copy = new AtomicLongHistogram(InstanceId, LowestTrackableValue, HighestTrackableValue, NumberOfSignificantValueDigits);
        copy.Add(this);
        return copy;
    }

    protected override long GetCountAtIndex(int index) => Volatile.Read(ref _counts[index]);

    protected override void SetCountAtIndex(int index, long value) => Volatile.Write(ref _counts[index], value);

    protected override void IncrementCountAtIndex(int index)
    {
        Interlocked.Increment(ref _counts[index]);
        Interlocked.Increment(ref _totalCount);
    }

    protected override void AddToCountAtIndex(int index, long addend)
    {
        Interlocked.Add(ref _counts[index], addend);
        Interlocked.Add(ref _totalCount, addend);
    }

    protected override void ClearCounts()
    {
        Array.Clear(_counts);
        Interlocked.Exchange(ref _totalCount, 0);
    }

    protected override void CopyCountsInto(long[] target) => Array.Copy(_counts, target, target.Length);
}
