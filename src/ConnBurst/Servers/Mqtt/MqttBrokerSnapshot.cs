using System.Text;
using System.Text.Json.Serialization;

namespace ConnBurst.Servers.Mqtt;

/// <summary>
/// The broker's counters at one moment: printed every few seconds and on exit, streamed by <c>--workers</c> children to their
/// parent as one JSON line each, and summed there. Counters only, no rates: rates are differences of two snapshots.
/// </summary>
internal sealed record MqttBrokerSnapshot
{
    [JsonPropertyName("accepted")] public long Accepted { get; init; }
    [JsonPropertyName("acceptsFailed")] public long AcceptsFailed { get; init; }
    [JsonPropertyName("handshakesOk")] public long HandshakesOk { get; init; }
    [JsonPropertyName("handshakesFailed")]
    public SortedDictionary<string, long> HandshakesFailed { get; init; } = new(StringComparer.Ordinal);
    [JsonPropertyName("connacks")] public long Connacks { get; init; }
    [JsonPropertyName("refused")] public SortedDictionary<string, long> Refused { get; init; } = new(StringComparer.Ordinal);
    [JsonPropertyName("protocolCloses")] public SortedDictionary<string, long> ProtocolCloses { get; init; } = new(StringComparer.Ordinal);
    [JsonPropertyName("disconnects")] public long Disconnects { get; init; }
    [JsonPropertyName("pings")] public long Pings { get; init; }
    [JsonPropertyName("publishes")] public long Publishes { get; init; }
    [JsonPropertyName("subscribes")] public long Subscribes { get; init; }
    [JsonPropertyName("keepaliveTimeouts")] public long KeepaliveTimeouts { get; init; }
    [JsonPropertyName("connectTimeouts")] public long ConnectTimeouts { get; init; }
    [JsonPropertyName("closed")] public long Closed { get; init; }
    [JsonPropertyName("current")] public long Current { get; init; }
    [JsonPropertyName("crlReloads")] public long CrlReloads { get; init; }
    [JsonPropertyName("crlSerials")] public long CrlSerials { get; init; }

    public long HandshakesFailedTotal => HandshakesFailed.Values.Sum();

    /// <summary>The sum over workers (CRL size is the same in each, so it is the max, not the sum).</summary>
    public static MqttBrokerSnapshot Sum(IEnumerable<MqttBrokerSnapshot> parts)
    {
        var all = parts.ToList();
        return new MqttBrokerSnapshot
        {
            Accepted = all.Sum(p => p.Accepted),
            AcceptsFailed = all.Sum(p => p.AcceptsFailed),
            HandshakesOk = all.Sum(p => p.HandshakesOk),
            HandshakesFailed = Merge(all.Select(p => p.HandshakesFailed)),
            Connacks = all.Sum(p => p.Connacks),
            Refused = Merge(all.Select(p => p.Refused)),
            ProtocolCloses = Merge(all.Select(p => p.ProtocolCloses)),
            Disconnects = all.Sum(p => p.Disconnects),
            Pings = all.Sum(p => p.Pings),
            Publishes = all.Sum(p => p.Publishes),
            Subscribes = all.Sum(p => p.Subscribes),
            KeepaliveTimeouts = all.Sum(p => p.KeepaliveTimeouts),
            ConnectTimeouts = all.Sum(p => p.ConnectTimeouts),
            Closed = all.Sum(p => p.Closed),
            Current = all.Sum(p => p.Current),
            CrlReloads = all.Sum(p => p.CrlReloads),
            CrlSerials = all.Count == 0 ? 0 : all.Max(p => p.CrlSerials),
        };
    }

    private static SortedDictionary<string, long> Merge(IEnumerable<SortedDictionary<string, long>> parts)
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var d in parts)
            foreach (var (k, v) in d) result[k] = result.GetValueOrDefault(k) + v;
        return result;
    }

    /// <summary>
    /// The counters as Graphite metric names and values (<c>serve mqtt --graphite</c>; the server-stats dashboard reads
    /// these names): totals since start, except <c>current</c> and <c>crlSerials</c>, which are gauges. Failures by
    /// reason are nested (<c>handshakesFailed.revoked</c>); every handshake reason is sent, zeros included, so a
    /// dashboard's series exist before the first failure.
    /// </summary>
    public IEnumerable<KeyValuePair<string, double>> GraphiteMetrics()
    {
        yield return new("current", Current);
        yield return new("accepted", Accepted);
        yield return new("acceptsFailed", AcceptsFailed);
        yield return new("handshakesOk", HandshakesOk);
        yield return new("handshakesFailedTotal", HandshakesFailedTotal);
        foreach (var (reason, n) in HandshakesFailed) yield return new("handshakesFailed." + reason, n);
        yield return new("connacks", Connacks);
        yield return new("refusedTotal", Refused.Values.Sum());
        foreach (var (reason, n) in Refused) yield return new("refused." + reason, n);
        foreach (var (reason, n) in ProtocolCloses) yield return new("protocolCloses." + reason, n);
        yield return new("disconnects", Disconnects);
        yield return new("closed", Closed);
        yield return new("keepaliveTimeouts", KeepaliveTimeouts);
        yield return new("connectTimeouts", ConnectTimeouts);
        yield return new("pings", Pings);
        yield return new("publishes", Publishes);
        yield return new("crlSerials", CrlSerials);
        yield return new("crlReloads", CrlReloads);
    }

    /// <summary>One human line: the counters the issue asks for, failures only when there are some.</summary>
    public string Format()
    {
        var sb = new StringBuilder();
        sb.Append($"accepted={Accepted}");
        if (AcceptsFailed > 0) sb.Append($" accepts-failed={AcceptsFailed}");
        sb.Append($" handshakes-ok={HandshakesOk} handshakes-failed={HandshakesFailedTotal}");
        AppendNonZero(sb, HandshakesFailed);
        sb.Append($" connacks={Connacks}");
        if (Refused.Count > 0) { sb.Append(" refused"); AppendNonZero(sb, Refused); }
        sb.Append($" disconnects={Disconnects} current={Current}");
        if (ProtocolCloses.Count > 0) { sb.Append(" protocol-closes"); AppendNonZero(sb, ProtocolCloses); }
        if (KeepaliveTimeouts + ConnectTimeouts > 0)
            sb.Append($" keepalive-timeouts={KeepaliveTimeouts} connect-timeouts={ConnectTimeouts}");
        if (Publishes + Subscribes + Pings > 0) sb.Append($" pings={Pings} publishes={Publishes} subscribes={Subscribes}");
        return sb.ToString();
    }

    private static void AppendNonZero(StringBuilder sb, SortedDictionary<string, long> d)
    {
        var parts = d.Where(kv => kv.Value != 0).Select(kv => $"{kv.Key}={kv.Value}").ToList();
        if (parts.Count > 0) sb.Append(" (").Append(string.Join(' ', parts)).Append(')');
    }
}
