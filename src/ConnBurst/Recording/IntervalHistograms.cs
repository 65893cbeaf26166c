using HdrHistogram;

namespace ConnBurst.Recording;

/// <summary>
/// An interval's histograms as they travel inside results JSON: by phase name, each the base64 of HdrHistogram's own
/// compressed encoding (the last field of an interval-log line, without the log's header, which would repeat per
/// phase and interval). Exact: decoding gives back every count.
/// </summary>
internal static class IntervalHistograms
{
    /// <summary>Burst's phases, indexed by <see cref="BurstPhase"/>.</summary>
    public static SortedDictionary<string, string> Encode(IReadOnlyList<HistogramBase> byPhase) =>
        EncodeNamed(byPhase.Take(BurstPhases.All.Length).Select((h, i) => KeyValuePair.Create(((BurstPhase)i).Name(), h)));

    /// <summary>Any run's phases by name (chat's: tcp, tls, roundtrip, fanout); empty histograms are left out.</summary>
    public static SortedDictionary<string, string> EncodeNamed(IEnumerable<KeyValuePair<string, HistogramBase>> byName)
    {
        var encoded = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, h) in byName)
            if (h.TotalCount > 0) encoded[name] = HistogramLogLine.Payload(h);
        return encoded;
    }

    /// <summary>
    /// What <see cref="Encode"/> gives, taken from an interval's hlog lines (<see cref="HlogFile.IntervalLines"/>): the
    /// payload of a line is the same compressed histogram, so nothing is encoded twice. Empty histograms are left out.
    /// </summary>
    public static SortedDictionary<string, string> FromLogLines(string lines, IReadOnlyList<HistogramBase> byPhase)
    {
        var encoded = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            const string tag = "Tag=";
            if (!line.StartsWith(tag, StringComparison.Ordinal)) continue;
            var name = line[tag.Length..line.IndexOf(',')];
            var phase = Array.FindIndex(BurstPhases.All, p => p.Name() == name);
            if (phase >= 0 && phase < byPhase.Count && byPhase[phase].TotalCount > 0) encoded[name] = line[(line.LastIndexOf(',') + 1)..];
        }
        return encoded;
    }

    /// <summary>Histograms indexed by <see cref="BurstPhase"/> (empty ones for phases not present).</summary>
    public static LongHistogram[] Decode(IReadOnlyDictionary<string, string>? encoded)
    {
        var h = new LongHistogram[BurstPhases.All.Length];
        for (int i = 0; i < h.Length; i++)
        {
            h[i] = encoded is not null && encoded.TryGetValue(((BurstPhase)i).Name(), out var b64) ? DecodeOne(b64)
                : LatencyHistograms.Create();
        }
        return h;
    }

    /// <summary>Every histogram present, by name.</summary>
    public static SortedDictionary<string, LongHistogram> DecodeNamed(IReadOnlyDictionary<string, string>? encoded)
    {
        var h = new SortedDictionary<string, LongHistogram>(StringComparer.Ordinal);
        if (encoded is not null)
            foreach (var (name, b64) in encoded) h[name] = DecodeOne(b64);
        return h;
    }

    private static LongHistogram DecodeOne(string b64)
    {
        var h = LatencyHistograms.Create();
        HistogramLogDecoder.AddInto(h, b64);
        return h;
    }
}
