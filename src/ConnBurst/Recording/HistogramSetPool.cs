using HdrHistogram;

namespace ConnBurst.Recording;

/// <summary>
/// Sets of standard-shape histograms, one per <see cref="BurstPhase"/>, given back once nothing reads them and handed out
/// again empty. Each histogram is 172 KB on the large-object heap, and six new ones a snapshot interval (per worker, in a
/// parent) made every collection a gen-2 one. It holds no more sets than were in use at once, and at most its cap.
/// </summary>
internal sealed class HistogramSetPool(int maxSpareSets)
{
    private readonly Stack<LongHistogram[]> _spare = new(); // locked: given back by whoever consumed the interval

    /// <summary>A set of empty histograms (no counts, tag or timestamps, as new ones), reused when one was given back.</summary>
    public LongHistogram[] Rent()
    {
        LongHistogram[]? set;
        lock (_spare) _spare.TryPop(out set);
        if (set is null)
        {
            set = new LongHistogram[BurstPhases.All.Length];
            for (int i = 0; i < set.Length; i++) set[i] = LatencyHistograms.Create();
            return set;
        }
        foreach (var h in set)
        {
            h.Reset(); // the counts; the tag and timestamps the .hlog stamped on it are cleared too
            h.Tag = null;
            h.StartTimeStamp = 0;
            h.EndTimeStamp = 0;
        }
        return set;
    }

    /// <summary>Gives back a set <see cref="Rent"/> handed out, once nothing reads it any more. Any thread.</summary>
    public void Return(LongHistogram[] set)
    {
        lock (_spare)
        {
            if (_spare.Count < maxSpareSets) _spare.Push(set);
        }
    }
}
