using System.Text.Json.Nodes;
using ConnBurst.Recording;
using ConnBurst.Results;

namespace ConnBurst.Monitor;

/// <summary>
/// Completes any run read back from its journal: a recording (kind "monitor") becomes the results document its STOP
/// would have written, from its samples, with the same summary (no thread table and no process CPU total: those are
/// read at STOP); every other kind goes to <see cref="UnfinishedRuns"/>.
/// </summary>
internal static class UnfinishedRecordings
{
    public static ResultsDocument Complete(ResultsDocument doc)
    {
        if (doc.Kind != "monitor") return UnfinishedRuns.Complete(doc);
        if (doc.Section("unfinished") is null || doc.Section("monitor") is not JsonObject m || m["columns"] is not JsonArray columnsNode)
            return doc;
        var columns = columnsNode.Select(c => c!.GetValue<string>()).ToList();
        var rec = new Recording(m["label"]?.GetValue<string>() ?? "", columns, Math.Max(16, doc.Intervals.Count), doc.StartedAt);
        var values = new double[columns.Count];
        foreach (var iv in doc.Intervals)
        {
            for (var i = 0; i < columns.Count; i++) values[i] = iv.Values.TryGetValue(columns[i], out var v) ? v : double.NaN;
            rec.AppendAt(iv.Seconds, values);
        }
        var process = m["process"] as JsonObject;
        var result = new RecordingResult(rec, doc.Outcome, doc.EndedAt,
            TimeSpan.FromMilliseconds(m["intervalMs"]?.GetValue<double>() ?? 1000),
            m["cores"]?.GetValue<int>() ?? 0, m["port"]?.GetValue<int?>(), process?["name"]?.GetValue<string>(),
                process?["pid"]?.GetValue<int?>(),
            0, [], doc.Config);
        var built = MonitorJson.Build(result, SummaryBuilder.Build(result));
        doc.Sections["monitor"] = built.Sections["monitor"];
        return doc;
    }
}
