using System.Text.Json.Nodes;
using ConnBurst.Results;

namespace ConnBurst.Monitor;

/// <summary>
/// The results document of a recording (kind "monitor"): every series under <c>monitor.series</c>, nested by
/// the dotted column names (<c>series.cpu.cpu0.busy</c> is core 0's busy % per sample), the sample times in
/// <c>monitor.t</c>, the busiest-threads table and the summary. docs/results-schema.md has the full layout.
/// </summary>
internal static class MonitorJson
{
    public const int ThreadRows = 50;

    public static ResultsDocument Build(RecordingResult r, MonitorSummary summary)
    {
        var rec = r.Recording;
        var doc = ResultsDocument.Start("monitor", rec.StartedAt, (JsonObject)r.Config.DeepClone());
        doc.EndedAt = r.EndedAt;
        doc.Outcome = r.Outcome;
        var series = new JsonObject();
        for (var c = 0; c < rec.Columns.Count; c++)
        {
            var parts = rec.Columns[c].Split('.');
            var node = series;
            for (var k = 0; k < parts.Length - 1; k++)
            {
                if (node[parts[k]] is not JsonObject child) node[parts[k]] = child = new JsonObject();
                node = child;
            }
            node[parts[^1]] = Array(rec.Column(c));
        }
        var monitor = new JsonObject
        {
            ["label"] = rec.Label,
            ["intervalMs"] = r.Interval.TotalMilliseconds,
            ["cores"] = r.Cores,
            ["samples"] = rec.Count,
            ["t"] = Array(rec.Times),
            ["series"] = series,
        };
        if (r.ProcessName is not null || r.ProcessPid is not null)
        {
            monitor["process"] = new JsonObject { ["name"] = r.ProcessName, ["pid"] = r.ProcessPid,
                ["cpuSeconds"] = SummaryBuilder.Round(r.ProcessCpuSeconds) };
            var threads = new JsonArray();
            foreach (var t in r.Threads.Take(ThreadRows))
            {
                threads.Add(new JsonObject
                {
                    ["tid"] = t.Tid, ["name"] = t.Name, ["cpuSeconds"] = SummaryBuilder.Round(t.CpuSeconds),
                    ["share"] = Math.Round(t.Share, 4), ["alive"] = t.Alive,
                });
            }

            monitor["threads"] = threads;
        }
        if (r.Port is { } port) monitor["port"] = port;
        monitor["summary"] = summary.ToJsonNode();
        doc.Sections["monitor"] = monitor;
        return doc;
    }

    /// <summary>Replaces the document's summary: once the files are written, the summary lists them.</summary>
    public static void SetSummary(ResultsDocument doc, MonitorSummary summary) => doc.Section("monitor")!["summary"] = summary.ToJsonNode();

    /// <summary>A series as a JSON array; NaN (no value that interval) becomes null.</summary>
    private static JsonArray Array(ReadOnlySpan<double> values)
    {
        var a = new JsonArray();
        foreach (var v in values) a.Add(double.IsNaN(v) || double.IsInfinity(v) ? null : JsonValue.Create(Math.Round(v, 3)));
        return a;
    }
}
