using HdrHistogram;

namespace ConnBurst.Recording;

/// <summary>
/// One worker's latency recorders: an HdrHistogram <see cref="Recorder"/> per <see cref="BurstPhase"/>. Recording is
/// wait-free from any thread; <see cref="TakeInterval"/> swaps out each phase's interval histogram for the snapshot.
/// </summary>
internal sealed class PhaseRecorders
{
    private readonly Recorder[] _recorders;
    private readonly HistogramBase?[] _recycle;

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
    /// returned histograms are the caller's to keep: they are copies, so the recorders' swap buffers can be recycled.
    /// </summary>
    public LongHistogram[] TakeInterval()
    {
        var result = new LongHistogram[_recorders.Length];
        for (int i = 0; i < _recorders.Length; i++)
        {
            var h = _recorders[i].GetIntervalHistogram(_recycle[i]);
            var copy = LatencyHistograms.Create();
            copy.Add(h);
            result[i] = copy;
            _recycle[i] = h;
        }
        return result;
    }
}
