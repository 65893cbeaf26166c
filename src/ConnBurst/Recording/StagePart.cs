using System.Text.Json.Serialization;
using HdrHistogram;

namespace ConnBurst.Recording;

/// <summary>
/// What one engine measured of one stage of a staged run, sent once, when every attempt due in the stage has settled:
/// its counters (attempted, connacks, failures by reason, abandoned at the end) and its histograms by phase, each
/// attempt in the stage its due time falls in. Parts of one stage from any number of workers and agents add exactly.
/// </summary>
internal sealed class StagePart
{
    public int Stage { get; set; }
    public CounterSnapshot Counters { get; set; } = new();
    /// <summary>How late this engine's first attempt of the stage started against its due time: how far it woke from the
    /// stage's boundary (ms; null when it made no attempt in the stage).</summary>
    public double? WokeLateMs { get; set; }
    /// <summary>Indexed by <see cref="BurstPhase"/>.</summary>
    [JsonIgnore] public LongHistogram[] Histograms { get; set; } = [];

    [JsonPropertyName("histograms")]
    public SortedDictionary<string, string> EncodedHistograms
    {
        get => IntervalHistograms.Encode(Histograms);
        set => Histograms = IntervalHistograms.Decode(value);
    }

    /// <summary>Adds another part of the same stage (another worker's, another agent's).</summary>
    public void Add(StagePart other)
    {
        Counters.Add(other.Counters, addGauges: false);
        if (Histograms.Length == 0) Histograms = BurstPhases.All.Select(_ => LatencyHistograms.Create()).ToArray();
        for (int i = 0; i < Histograms.Length && i < other.Histograms.Length; i++) Histograms[i].Add(other.Histograms[i]);
        if (other.WokeLateMs is { } w) WokeLateMs = Math.Max(WokeLateMs ?? w, w);
    }
}
