using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Chat;

/// <summary>
/// The chat benchmark's <c>TLS_1_X_client_results_&lt;TIMESTAMP&gt;.txt</c>: connection and message time statistics and errors by
/// kind, read from the results document (no statistics computed here).
/// </summary>
public static class ChatTextReport
{
    public static readonly string[] Columns = ["count", "min", "avg", "p50", "p90", "p95", "p99", "max"];

    public static string Render(ResultsDocument doc)
    {
        var c = doc.Config;
        var sb = new StringBuilder();
        var tls = Str(c, "tls") == "tls13" ? "1.3" : "1.2";
        sb.AppendLine(CultureInfo.InvariantCulture, $"ConnBurst chat client results: TLS {tls}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"started  {doc.StartedAt:yyyy-MM-dd HH:mm:ss zzz}   ended {doc.EndedAt:HH:mm:ss}   outcome {doc.Outcome}");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"server   {Str(c, "server")}   clients {Str(c, "clients")}   messages/client {Str(c, "messagesPerClient")}   duration {Str(c, "duration")}");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"rooms    {Str(c, "rooms")} ({Str(c, "room")})   message size {Str(c, "messageSize")} B   rate {(c["rate"] is null ? "spread over duration" : Str(c, "rate") + "/s")}   trust {Str(c, "trust")}");
        if (doc.Section("chat") is JsonObject chat)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"negotiated {Pairs(chat["negotiatedProtocols"])}   cipher {Pairs(chat["cipherSuites"])}");
        }
        sb.AppendLine(CultureInfo.InvariantCulture, $"machine  {doc.Machine.Host}, {doc.Machine.Cores} cores, {doc.Machine.CpuModel}, {doc.Machine.OpenSsl}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"connections: attempted {doc.Counts.Attempted}, connected and joined {doc.Counts.Connected}");
        sb.AppendLine();
        Table(sb, "Connection times (ms)", doc, [("tcp", "TCP connect"), ("tls", "TLS handshake")]);
        sb.AppendLine();
        Table(sb, "Message times (ms)", doc, [("roundtrip", "round trip"), ("fanout", "fan-out")]);
        sb.AppendLine("  round trip: send until the broadcast copy returns to its sender; fan-out: send until it reaches each other member.");
        sb.AppendLine();
        var o = doc.Counts.Other;
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"messages: sent {o.GetValueOrDefault("messagesSent")}, deliveries expected {o.GetValueOrDefault("deliveriesExpected")}, " +
            $"received {o.GetValueOrDefault("deliveriesReceived")}, lost {o.GetValueOrDefault("deliveriesLost")}");
        if (doc.Section("chat") is JsonObject ch)
        {
            var every = ch["everyMemberReceivedEveryBroadcast"]?.GetValue<bool>() == true;
            sb.AppendLine(every ? "every member received every broadcast of its room" : "NOT every member received every broadcast of its room");
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"throughput: {Str(ch, "messagesPerSecondSent")} messages/s sent, {Str(ch, "deliveriesPerSecond")} deliveries/s over {Str(ch, "sendSeconds")} s");
        }
        sb.AppendLine();
        sb.AppendLine("errors by kind:");
        if (doc.Counts.Failed.Count == 0) sb.AppendLine("  none");
        foreach (var (kind, n) in doc.Counts.Failed) sb.AppendLine(CultureInfo.InvariantCulture, $"  {kind,-28} {n}");
        if (doc.Section("server") is JsonNode server)
        {
            sb.AppendLine();
            sb.AppendLine("server (monitor summary):");
            sb.AppendLine("  " + server.ToJsonString());
        }
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, string title, ResultsDocument doc, (string Phase, string Label)[] rows)
    {
        sb.AppendLine(title);
        sb.Append(CultureInfo.InvariantCulture, $"  {"",-15}");
        foreach (var col in Columns) sb.Append(CultureInfo.InvariantCulture, $"{col,11}");
        sb.AppendLine();
        foreach (var (phase, label) in rows)
        {
            var s = doc.Latency.GetValueOrDefault(phase) ?? new LatencySummary();
            sb.Append(CultureInfo.InvariantCulture, $"  {label,-15}{s.Count,11}");
            foreach (var v in new[] { s.Min, s.Avg, s.P50, s.P90, s.P95, s.P99, s.Max })
                sb.Append(CultureInfo.InvariantCulture, $"{v,11:0.000}");
            sb.AppendLine();
        }
    }

    private static string Str(JsonObject o, string key) => o[key]?.ToString() ?? "-";

    private static string Pairs(JsonNode? node) => node is JsonObject o && o.Count > 0
        ? string.Join(", ", o.Select(kv => $"{kv.Key}={kv.Value}"))
        : "-";
}
