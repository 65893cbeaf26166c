using HdrHistogram;

namespace ConnBurst.Recording;

/// <summary>
/// One worker's latency recorders: an HdrHistogram <see cref="Recorder"/> per <see cref="BurstPhase"/>. Recording is
/// wait-free from any thread; <see cref="TakeInterval"/> swaps out each phase's interval histogram for the snapshot.
/// </summary>
internal sealed class PhaseRecorders
{
    /// <summary>Sets of copies given back (<see cref="Return"/>) beyond this many are left to the collector.</summary>
    private const int MaxSpareSets = 2;

    private readonly Recorder[] _recorders;
    private readonly HistogramBase?[] _recycle;
    private readonly HistogramSetPool _copies = new(MaxSpareSets);

    public PhaseRecorders()
    {
        _recorders = new Recorder[BurstPhases.All.Length];
        _recycle = new HistogramBase?[_recorders.Length];
        for (int i = 0; i < _recorders.Length; i++) _recorders[i] = LatencyHistograms.CreateRecorder();
    }

    /// <summary>Records a duration in microseconds, clamped into the trackable range (never throws).</summary>
    public void Record(BurstPhase phase, long micros) =>
        _recorders[(int)phase].RecordValue(Math.Clamp(micros, 1, LatencyHistograms.HighestTrackableMicros));

    /// <summary>
    /// Everything recorded since the last call, one histogram per phase (indexed by <see cref="BurstPhase"/>). The
    /// returned histograms are the caller's to keep (or to <see cref="Return"/>): they are copies, so the recorders' swap
    /// buffers can be recycled.
    /// </summary>
    public LongHistogram[] TakeInterval() => Copy(Swap());

    /// <summary>
    /// The interval's cut: every phase's recorder swapped at once, before anything is copied, so a caller that takes its
    /// counters right after (<see cref="BurstCounters.TakeDelta"/>) cuts both at nearly the same instant. Copying between
    /// the swaps took milliseconds, and a CONNACK recorded inside that gap went into one interval's histogram and the
    /// next one's counters: harmless in a finished run, but a killed run's journal then had one more latency value than
    /// CONNACKs (BurstFaultTests found it).
    /// </summary>
    public HistogramBase[] Swap()
    {
        var swapped = new HistogramBase[_recorders.Length];
        for (int i = 0; i < _recorders.Length; i++) swapped[i] = _recorders[i].GetIntervalHistogram(_recycle[i]);
        return swapped;
    }

    /// <summary>
    /// Copies of what <see cref="Swap"/> took, whose buffers go back to the recorders for the next swap. The copies are
    /// a set given back by <see cref="Return"/> when there is one: each histogram is 172 KB on the large-object heap, and
    /// six new ones a snapshot interval made every collection of a one-process burst a gen-2 one.
    /// </summary>
    public LongHistogram[] Copy(HistogramBase[] swapped)
    {
        var result = _copies.Rent();
        for (int i = 0; i < swapped.Length; i++)
        {
            result[i].Add(swapped[i]);
            _recycle[i] = swapped[i];
        }
        return result;
    }

    /// <summary>
    /// Gives back histograms <see cref="Copy"/> returned, once nothing reads them any more (the interval is merged, or
    /// sent to the parent); a later interval's copies reuse them. Any thread.
    /// </summary>
    public void Return(LongHistogram[] copies) => _copies.Return(copies);
}
