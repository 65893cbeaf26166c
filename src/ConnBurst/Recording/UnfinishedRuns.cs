using ConnBurst.Results;

namespace ConnBurst.Recording;

/// <summary>
/// Completes a run read back from its journal (<see cref="ResultsJournal"/>): its latency summary comes from the
/// interval histograms it kept, exactly as the run would have computed it at its end.
/// </summary>
internal static class UnfinishedRuns
{
    public static ResultsDocument Complete(ResultsDocument doc)
    {
        if (doc.Section("unfinished") is null || doc.Latency.Count > 0 || doc.Intervals.All(i => i.Histograms is null)) return doc;
        var cumulative = BurstPhases.All.Select(_ => LatencyHistograms.Create()).ToArray();
        foreach (var iv in doc.Intervals)
        {
            var h = IntervalHistograms.Decode(iv.Histograms);
            for (int i = 0; i < h.Length; i++) cumulative[i].Add(h[i]);
        }
        BurstPhases.SummarizeInto(cumulative, doc.Latency);
        return doc;
    }
}
