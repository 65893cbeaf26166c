using System.Text.Json;
using System.Text.Json.Serialization;
using HdrHistogram;
using ConnBurst.Common;

namespace ConnBurst.Recording;

/// <summary>
/// What one worker measured in one snapshot interval: counter deltas, gauges, one interval histogram per phase, and
/// the generator's own usage. The unit both of the in-process pipeline and of the worker-to-parent stream (one JSON
/// line each on the worker's stdout, histograms in HdrHistogram's compressed encoding), so a merge is always exact.
/// </summary>
internal sealed class IntervalReport
{
    /// <summary>Marks report lines in a worker's stdout; anything else on stdout is passed through as a log line.</summary>
    public const string LinePrefix = "@connburst-report ";

    public int Shard { get; set; }
    /// <summary>0, 1, 2... in snapshot order; workers and the parent agree on it because they share t0 and the period.</summary>
    public int Index { get; set; }
    /// <summary>Seconds since the run's t0 at which this interval ended.</summary>
    public double EndSeconds { get; set; }
    /// <summary>True for the last report of a worker (the run is over for it).</summary>
    public bool Final { get; set; }
    public CounterSnapshot Counters { get; set; } = new();
    /// <summary>A staged run's stages whose attempts all settled in this interval (each stage once per engine; every
    /// remaining one in the final report).</summary>
    public List<StagePart>? Stages { get; set; }
    /// <summary>Indexed by <see cref="BurstPhase"/>.</summary>
    [JsonIgnore] public LongHistogram[] Histograms { get; set; } = [];
    /// <summary>
    /// Where <see cref="Histograms"/> go once nothing reads them (<see cref="ReleaseHistograms"/>): the engine's recorders,
    /// which reuse them for a later interval (<see cref="PhaseRecorders.Return"/>); for a report read from a worker's line, the
    /// pool its histograms were decoded into (<see cref="Decoded"/>).
    /// </summary>
    [JsonIgnore] public Action<LongHistogram[]>? HistogramsOwner { get => _owner; init => _owner = value; }
    private Action<LongHistogram[]>? _owner;

    /// <summary>
    /// The sets workers' reports are decoded into, reused once the aggregator has merged them. A parent holds about one set
    /// per worker per open interval; the cap bounds what a stalled interval's pile-up keeps afterwards (32 sets: 33 MB).
    /// </summary>
    private static readonly HistogramSetPool Decoded = new(maxSpareSets: 32);
    public GeneratorUsage Usage { get; set; } = new();

    [JsonPropertyName("histograms")]
    public Dictionary<string, string> EncodedHistograms
    {
        get
        {
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < Histograms.Length; i++)
                if (Histograms[i].TotalCount > 0) d[((BurstPhase)i).Name()] = LatencyHistograms.Encode(Histograms[i]);
            return d;
        }
        set
        {
            var hs = Decoded.Rent();
            foreach (var (name, text) in value)
                if (BurstPhases.TryParse(name, out var p)) LatencyHistograms.AddDecoded(hs[(int)p], text);
            Histograms = hs;
            _owner = Decoded.Return;
        }
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToLine() => LinePrefix + JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// Hands the histograms back to their owner when the report has been merged (<see cref="BurstAggregator"/>) or sent
    /// (<see cref="ToLine"/>); the report has none from then on.
    /// </summary>
    public void ReleaseHistograms()
    {
        var histograms = Histograms;
        Histograms = [];
        if (histograms.Length > 0) HistogramsOwner?.Invoke(histograms);
    }

    /// <summary>Parses a worker's stdout line; false when it is not a report line.</summary>
    public static bool TryParse(string line, out IntervalReport report)
    {
        report = null!;
        if (!line.StartsWith(LinePrefix, StringComparison.Ordinal)) return false;
        report = JsonSerializer.Deserialize<IntervalReport>(line.AsSpan(LinePrefix.Length), Json)
            ?? throw new FormatException("empty worker report");
        if (report.Histograms.Length == 0) report.EncodedHistograms = new();
        return true;
    }
}

/// <summary>The generator's own cost, cumulative for the process at the report's time.</summary>
internal sealed class GeneratorUsage
{
    public double CpuSeconds { get; set; }
    public long RssBytes { get; set; }
    /// <summary>The largest scheduler tick overrun in the interval (ms): how late the pacer woke up.</summary>
    public double MaxTickLagMs { get; set; }
    /// <summary>Time .NET's garbage collector held the process's threads (event loops included) paused so far, in ms.</summary>
    public double GcPauseMs { get; set; }
    /// <summary>Collections so far, by generation (0, 1, 2).</summary>
    public int[] GcCollections { get; set; } = [];

    public static GeneratorUsage Now(double maxTickLagMs) => new()
    {
        CpuSeconds = Environment.CpuUsage.TotalTime.TotalSeconds,
        RssBytes = ResidentMemory.Bytes,
        MaxTickLagMs = maxTickLagMs,
        GcPauseMs = GC.GetTotalPauseDuration().TotalMilliseconds,
        GcCollections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)],
    };
}
