namespace ConnBurst.Recording;

/// <summary>
/// What a burst run times, one HdrHistogram each (micros in). The first four are the contract's phases
/// (docs/results-schema.md: tcp, tls, connack, total); the rest sit beside them so a stalled generator cannot hide anything.
/// </summary>
internal enum BurstPhase
{
    /// <summary>SYN sent to TCP connect completed.</summary>
    Tcp,
    /// <summary>TLS handshake started to finished (client side, including the client certificate exchange).</summary>
    Tls,
    /// <summary>CONNECT written to CONNACK read.</summary>
    Connack,
    /// <summary>The attempt's intended (due) time to CONNACK: includes any scheduler lag, so coordinated omission cannot hide it.</summary>
    Total,
    /// <summary>The attempt's actual start to CONNACK (mqttbench's SYN-to-CONNACK, "-T 0x20"): the figure without scheduler lag.</summary>
    TotalFromStart,
    /// <summary>How late each attempt actually started against its due time (tick and thread-pool delay): the generator's own
    /// health.</summary>
    SchedulerLag,
}

internal static class BurstPhases
{
    public static readonly BurstPhase[] All = Enum.GetValues<BurstPhase>();

    /// <summary>The phases that are connect latencies (everything but scheduler lag).</summary>
    public static readonly BurstPhase[] Latency = [BurstPhase.Tcp, BurstPhase.Tls, BurstPhase.Connack, BurstPhase.Total,
        BurstPhase.TotalFromStart];

    /// <summary>
    /// The results' latency summaries from a run's cumulative histograms (indexed by phase): one definition for a run
    /// that ends, a merge of agents, and a killed run read back from its journal.
    /// </summary>
    public static void SummarizeInto(IReadOnlyList<HdrHistogram.HistogramBase> cumulative, IDictionary<string,
        Results.LatencySummary> latency)
    {
        foreach (var p in Latency)
            latency[p.Name()] = LatencyHistograms.Summarize(cumulative[(int)p], withDistribution: p == BurstPhase.Total);
    }

    /// <summary>The name used in results JSON, CSV headers and .hlog tags.</summary>
    public static string Name(this BurstPhase p) => p switch
    {
        BurstPhase.Tcp => "tcp",
        BurstPhase.Tls => "tls",
        BurstPhase.Connack => "connack",
        BurstPhase.Total => "total",
        BurstPhase.TotalFromStart => "totalFromStart",
        BurstPhase.SchedulerLag => "schedulerLag",
        _ => p.ToString(),
    };

    public static bool TryParse(string name, out BurstPhase phase)
    {
        foreach (var p in All)
            if (p.Name() == name) { phase = p; return true; }
        phase = default;
        return false;
    }
}
