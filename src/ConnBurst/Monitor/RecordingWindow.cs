using System.Text.Json.Nodes;
using ConnBurst.Monitor.Proc;
using ConnBurst.Results;

namespace ConnBurst.Monitor;

/// <summary>
/// The summary of a time window of a finished recording (a monitor result, kind "monitor"): its samples in the window
/// become a recording of their own and <see cref="SummaryBuilder"/> summarises them as STOP would have. So one stage of a
/// longer run is judged on its own figures. Two parts cannot be windowed and stay the whole recording's: the busiest-threads
/// table (per-thread CPU is read at STOP) and the perf profile; the machine's backlog limits are the recording's too.
/// </summary>
internal static class RecordingWindow
{
    /// <summary>The window's summary, or null when the document has no series or no sample falls in the window.</summary>
    public static MonitorSummary? Summarize(ResultsDocument doc, DateTimeOffset from, DateTimeOffset to)
    {
        if (doc.Section("monitor") is not JsonObject m || m["t"] is not JsonArray t || m["series"] is not JsonObject series) return null;
        var columns = new List<string>();
        var data = new List<JsonArray>();
        Flatten(series, "", columns, data);
        var times = t.Select(Number).ToArray();
        var rec = new Recording(m["label"]?.GetValue<string>() ?? "", columns, Math.Max(16, times.Length), doc.StartedAt);
        var values = new double[columns.Count];
        var cpuAt = columns.IndexOf("process.cpuPercent");
        double cpuSeconds = 0, previous = double.NaN;
        for (var i = 0; i < times.Length; i++)
        {
            var at = doc.StartedAt.AddSeconds(times[i]);
            if (at < from || at > to) { previous = times[i]; continue; }
            for (var c = 0; c < columns.Count; c++) values[c] = i < data[c].Count ? Number(data[c][i]) : double.NaN;
            rec.AppendAt(times[i], values);
            // Each sample's CPU percent covers the interval that ends at it.
            if (cpuAt >= 0 && !double.IsNaN(values[cpuAt]) && !double.IsNaN(previous))
            {
                cpuSeconds += values[cpuAt] / 100 * (times[i] - previous);
            }
            previous = times[i];
        }
        if (rec.Count == 0) return null;
        var process = m["process"] as JsonObject;
        var threads = (m["threads"] as JsonArray)?.OfType<JsonObject>().Select(x => new ThreadCpu(
            (int)Number(x["tid"]), x["name"]?.GetValue<string>() ?? "", Number(x["cpuSeconds"]), Number(x["share"]),
            x["alive"]?.GetValue<bool>() ?? false)).ToList() ?? [];
        var result = new RecordingResult(rec, doc.Outcome, to < doc.EndedAt ? to : doc.EndedAt,
            TimeSpan.FromMilliseconds(m["intervalMs"]?.GetValue<double>() ?? 1000), m["cores"]?.GetValue<int>() ?? 0,
            m["port"]?.GetValue<int?>(), process?["name"]?.GetValue<string>(), process?["pid"]?.GetValue<int?>(), cpuSeconds, threads,
            new JsonObject());
        var summary = SummaryBuilder.Build(result);
        // The limits were read on the monitor's machine when the recording ended, not on the machine reading it now.
        var whole = m["summary"]?["kernelTcp"];
        summary.KernelTcp!.Somaxconn = whole?["somaxconn"] is JsonValue a && a.TryGetValue<double>(out var s) ? s : null;
        summary.KernelTcp.TcpMaxSynBacklog = whole?["tcpMaxSynBacklog"] is JsonValue b && b.TryGetValue<double>(out var y) ? y : null;
        return summary;
    }

    /// <summary>The nested series back into dotted column names (<c>series.cpu.cpu0.busy</c> is <c>cpu.cpu0.busy</c>).</summary>
    private static void Flatten(JsonObject node, string prefix, List<string> columns, List<JsonArray> data)
    {
        foreach (var (name, child) in node)
        {
            var path = prefix.Length == 0 ? name : prefix + "." + name;
            if (child is JsonArray a)
            {
                columns.Add(path);
                data.Add(a);
            }
            else if (child is JsonObject o)
            {
                Flatten(o, path, columns, data);
            }
        }
    }

    private static double Number(JsonNode? n) => n is JsonValue v && v.TryGetValue<double>(out var d) ? d : double.NaN;
}
