using HdrHistogram;

namespace ConnBurst.Recording;

/// <summary>
/// An interval's histograms as they travel inside results JSON: by phase name, each the base64 of HdrHistogram's own
/// compressed encoding (the last field of an interval-log line, without the log's header, which would repeat per
/// phase and interval). Exact: decoding gives back every count.
/// </summary>
internal static class IntervalHistograms
{
    public static SortedDictionary<string, string> Encode(IReadOnlyList<HistogramBase> byPhase)
    {
        var encoded = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < byPhase.Count && i < BurstPhases.All.Length; i++)
            if (byPhase[i].TotalCount > 0) encoded[((BurstPhase)i).Name()] = Compact(LatencyHistograms.Encode(byPhase[i]));
        return encoded;
    }

    /// <summary>Histograms indexed by <see cref="BurstPhase"/> (empty ones for phases not present).</summary>
    public static LongHistogram[] Decode(IReadOnlyDictionary<string, string>? encoded)
    {
        var h = new LongHistogram[BurstPhases.All.Length];
        for (int i = 0; i < h.Length; i++)
        {
            h[i] = encoded is not null && encoded.TryGetValue(((BurstPhase)i).Name(), out var b64)
                ? LatencyHistograms.Decode($"0.000,0.000,0.000,{b64}\n")
                : LatencyHistograms.Create();
        }

        return h;
    }

    private static string Compact(string logText)
    {
        foreach (var line in logText.Split('\n'))
        {
            var l = line.TrimEnd('\r');
            if (l.Length == 0 || l[0] is '#' or '"') continue;
            return l[(l.LastIndexOf(',') + 1)..];
        }
        throw new InvalidOperationException("the histogram log writer wrote no interval line");
    }
}
