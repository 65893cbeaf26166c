using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ConnBurst.Results;

/// <summary>
/// The one results model (docs/results-schema.md). Every run writes one; every renderer reads one and computes
/// no statistics of its own. Kind-specific sections (peak, monitor series, chat rooms...) go in
/// <see cref="Sections"/>, which serialises as extra top-level properties.
/// </summary>
internal sealed class ResultsDocument
{
    public const string CurrentSchema = "connburst.results/1";

    [JsonPropertyName("schema")] public string Schema { get; set; } = CurrentSchema;

    /// <summary>burst, chat, monitor or peak.</summary>
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";

    [JsonPropertyName("startedAt")] public DateTimeOffset StartedAt { get; set; }
    [JsonPropertyName("endedAt")] public DateTimeOffset EndedAt { get; set; }

    /// <summary>How the run ended: completed, interrupted (Ctrl-C), timeout, peer-lost, failed.</summary>
    [JsonPropertyName("outcome")] public string Outcome { get; set; } = "completed";

    /// <summary>The effective configuration, exactly as the run used it.</summary>
    [JsonPropertyName("config")] public JsonObject Config { get; set; } = new();

    [JsonPropertyName("machine")] public MachineInfo Machine { get; set; } = new();

    [JsonPropertyName("counts")] public Counts Counts { get; set; } = new();

    /// <summary>Per phase (burst: tcp, tls, connack, total; chat: tcp, tls, roundtrip, fanout), in milliseconds.</summary>
    [JsonPropertyName("latency")] public Dictionary<string, LatencySummary> Latency { get; set; } = new();

    /// <summary>Interval snapshots, oldest first.</summary>
    [JsonPropertyName("intervals")] public List<IntervalSnapshot> Intervals { get; set; } = new();

    /// <summary>
    /// Kind-specific sections: "peak", "monitor", "server", "chat", "generator"... Assign a JsonNode (or any
    /// serialisable object); read with <see cref="Section"/>. The type is a Dictionary of object because
    /// System.Text.Json rejects a Dictionary of JsonNode as extension data, and .NET 10 writes a JsonObject
    /// extension property as an unnamed nested object (invalid JSON). ResultsFile reads unknown values as JsonNode.
    /// </summary>
    [JsonExtensionData] public Dictionary<string, object?> Sections { get; set; } = new();

    /// <summary>
    /// The one way a run starts its results: kind, start, configuration and this machine's facts; the end time is
    /// now (a writer that finishes later sets it again).
    /// </summary>
    public static ResultsDocument Start(string kind, DateTimeOffset startedAt, JsonObject config) => new()
    {
        Kind = kind,
        StartedAt = startedAt,
        EndedAt = DateTimeOffset.UtcNow,
        Config = config,
        Machine = MachineInfo.Collect(),
    };

    /// <summary>A section as a JsonNode, or null when absent (whether it was set in code or read from a file).</summary>
    public JsonNode? Section(string name) =>
        Sections.TryGetValue(name, out var value) ? value switch
        {
            null => null,
            JsonNode node => node,
            System.Text.Json.JsonElement element => JsonNode.Parse(element.GetRawText()),
            _ => System.Text.Json.JsonSerializer.SerializeToNode(value, ResultsFile.Json),
        } : null;
}

internal sealed class Counts
{
    [JsonPropertyName("attempted")] public long Attempted { get; set; }
    [JsonPropertyName("connected")] public long Connected { get; set; }
    [JsonPropertyName("connacks")] public long Connacks { get; set; }
    /// <summary>Failures by reason (tcp-refused, tls-handshake, connack-0x87, timeout...).</summary>
    [JsonPropertyName("failed")] public SortedDictionary<string, long> Failed { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Other counters by name (messagesSent, messagesReceived, disconnectedByServer...).</summary>
    [JsonPropertyName("other")] public SortedDictionary<string, long> Other { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One phase's latency distribution, in milliseconds, taken from a merged HdrHistogram.</summary>
internal sealed class LatencySummary
{
    [JsonPropertyName("count")] public long Count { get; set; }
    [JsonPropertyName("min")] public double Min { get; set; }
    [JsonPropertyName("avg")] public double Avg { get; set; }
    [JsonPropertyName("p50")] public double P50 { get; set; }
    [JsonPropertyName("p75")] public double P75 { get; set; }
    [JsonPropertyName("p90")] public double P90 { get; set; }
    [JsonPropertyName("p95")] public double P95 { get; set; }
    [JsonPropertyName("p99")] public double P99 { get; set; }
    [JsonPropertyName("p999")] public double P999 { get; set; }
    [JsonPropertyName("max")] public double Max { get; set; }
    [JsonPropertyName("stddev")] public double StdDev { get; set; }
    /// <summary>Percentile distribution points (percentile, value ms) for HDR plots; may be empty.</summary>
    [JsonPropertyName("distribution")] public List<double[]>? Distribution { get; set; }
}

/// <summary>One interval snapshot: seconds since start, counters and the interval's own latency percentiles.</summary>
internal sealed class IntervalSnapshot
{
    [JsonPropertyName("t")] public double Seconds { get; set; }
    [JsonPropertyName("values")] public SortedDictionary<string, double> Values { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The interval's own histograms by phase (burst, chat), each HdrHistogram's compressed encoding in base64: what lets
    /// <c>connburst merge</c> join agents' runs exactly, interval by interval and in total, and a killed run's journal
    /// give back its latency.
    /// </summary>
    [JsonPropertyName("histograms")] public SortedDictionary<string, string>? Histograms { get; set; }
}
