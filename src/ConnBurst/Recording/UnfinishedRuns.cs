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
        if (doc.Kind == "burst")
        {
            var cumulative = BurstPhases.All.Select(_ => LatencyHistograms.Create()).ToArray();
            foreach (var iv in doc.Intervals)
            {
                var h = IntervalHistograms.Decode(iv.Histograms);
                for (int i = 0; i < h.Length; i++) cumulative[i].Add(h[i]);
            }
            BurstPhases.SummarizeInto(cumulative, doc.Latency);
            return doc;
        }
        // Any other run (chat) keeps its phases by name, summarised as its own end would (with the distribution).
        var byName = new SortedDictionary<string, HdrHistogram.LongHistogram>(StringComparer.Ordinal);
        foreach (var iv in doc.Intervals)
        {
            foreach (var (name, h) in IntervalHistograms.DecodeNamed(iv.Histograms))
            {
                if (byName.TryGetValue(name, out var sum)) sum.Add(h);
                else byName[name] = h;
            }
        }
        foreach (var (name, h) in byName) doc.Latency[name] = LatencyHistograms.Summarize(h, withDistribution: true);
        return doc;
    }
}
