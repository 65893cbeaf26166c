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
    /// <summary>CPU seconds the generator's processes spent during the stage's time (summed over the parts added).</summary>
    public double? CpuSeconds { get; set; }
    /// <summary>Cores of the machine the part ran on: what a generator's CPU share is of.</summary>
    public int Cores { get; set; }
    /// <summary>The busiest machine's share of its cores the generator used in the stage (0-1), over the parts added.</summary>
    public double? CpuShare { get; set; }
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
        if (other.CpuSeconds is { } cpu) CpuSeconds = Math.Round((CpuSeconds ?? 0) + cpu, 3);
        Cores = Math.Max(Cores, other.Cores);
        // Agents' parts (a merge) carry their own machine's share: the busiest agent is the one that limits.
        if (other.CpuShare is { } theirs) CpuShare = Math.Max(CpuShare ?? theirs, theirs);
    }

    /// <summary>The share of its machine's cores this part's generator used over <paramref name="seconds"/> (0-1), or null.</summary>
    public double? ShareOf(double seconds) => CpuShare ?? (CpuSeconds is { } cpu && Cores > 0 ? cpu / seconds / Cores : null);
}
