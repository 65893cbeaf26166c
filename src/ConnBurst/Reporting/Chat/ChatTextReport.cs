using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ConnBurst.Reporting.Renderers;
using ConnBurst.Reporting.Tables;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Chat;

/// <summary>
/// The chat benchmark's <c>TLS_1_X_client_results_&lt;TIMESTAMP&gt;.txt</c>: connection and message time statistics and errors by
/// kind, read from the results document (no statistics computed here). Written for chat runs only.
/// </summary>
internal sealed class ChatTextReport : RunFileRenderer
{
    /// <summary>The figures the chat benchmark's file shows, as it always has (no p75, no p99.9).</summary>
    private static readonly Column[] Figures =
        [LatencyTable.Count, LatencyTable.Min, LatencyTable.Avg, LatencyTable.P50, LatencyTable.P90, LatencyTable.P95, LatencyTable.P99,
            LatencyTable.Max];

    public override string Format => "txt";

    protected override bool AppliesTo(RunReport run) => run.Doc.Kind == "chat";

    protected override string FileName(RunReport run, string baseName) => ChatResultsWriter.FileName(run.Doc, "results", baseName, "txt");

    protected override void Render(string path, RunReport run) => File.WriteAllText(path, Render(run.Doc));

    public static string Render(ResultsDocument doc)
    {
        var c = doc.Config;
        var sb = new StringBuilder();
        var tls = Str(c, "tls") == "tls13" ? "1.3" : "1.2";
        sb.AppendLine(CultureInfo.InvariantCulture, $"ConnBurst chat client results: TLS {tls}");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"started  {doc.StartedAt:yyyy-MM-dd HH:mm:ss zzz}   ended {doc.EndedAt:HH:mm:ss}   outcome {doc.Outcome}");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"server   {Str(c, "server")}   clients {Str(c, "clients")}   messages/client {Str(c, "messagesPerClient")}   duration " +
                $"{Str(c, "duration")}");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"rooms    {Str(c, "rooms")} ({Str(c, "room")})   message size {Str(c, "messageSize")} B   rate " +
                $"{(c["rate"] is null ? "spread over duration" : Str(c, "rate") + "/s")}   trust {Str(c, "trust")}");
        if (doc.Section("chat") is JsonObject chat)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"negotiated {Pairs(chat["negotiatedProtocols"])}   cipher {Pairs(chat["cipherSuites"])}");
        }
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"machine  {doc.Machine.Host}, {doc.Machine.Cores} cores, {doc.Machine.CpuModel}, {doc.Machine.OpenSsl}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"connections: attempted {doc.Counts.Attempted}, connected and joined {doc.Counts.Connected}");
        sb.AppendLine();
        Table(sb, "Connection times", doc, [("tcp", "TCP connect"), ("tls", "TLS handshake")]);
        sb.AppendLine();
        Table(sb, "Message times", doc, [("roundtrip", "round trip"), ("fanout", "fan-out")]);
        sb.AppendLine(
            "  round trip: send until the broadcast copy returns to its sender; fan-out: send until it reaches each other member.");
        sb.AppendLine();
        var o = doc.Counts.Other;
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"messages: sent {o.GetValueOrDefault("messagesSent")}, deliveries expected {o.GetValueOrDefault("deliveriesExpected")}, " +
            $"received {o.GetValueOrDefault("deliveriesReceived")}, lost {o.GetValueOrDefault("deliveriesLost")}");
        if (doc.Section("chat") is JsonObject ch)
        {
            var every = ch["everyMemberReceivedEveryBroadcast"]?.GetValue<bool>() == true;
            sb.AppendLine(every ? "every member received every broadcast of its room"
                : "NOT every member received every broadcast of its room");
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"throughput: {Str(ch, "messagesPerSecondSent")} messages/s sent, {Str(ch, "deliveriesPerSecond")} deliveries/s over " +
                    $"{Str(ch, "sendSeconds")} s");
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
        TextTable.AppendTo(sb, LatencyTable.Of(rows.Select(r => (r.Label, doc.Latency.GetValueOrDefault(r.Phase) ?? new LatencySummary())),
            Figures), "  ");
    }

    private static string Str(JsonObject o, string key) => o[key]?.ToString() ?? "-";

    private static string Pairs(JsonNode? node) => node is JsonObject o && o.Count > 0
        ? string.Join(", ", o.Select(kv => $"{kv.Key}={kv.Value}"))
        : "-";
}
