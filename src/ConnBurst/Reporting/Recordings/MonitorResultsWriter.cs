using ConnBurst.Monitor;
using ConnBurst.Reporting.Renderers;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Recordings;

/// <summary>
/// Writes one finished recording (the <see cref="RecordingWriter"/> the CLI hands the monitor): through the renderers'
/// composite the chat benchmark's text file and CPU chart, the process chart and thread table when a process was
/// watched; then the results JSON, last, because it lists the other files. One format failing (a chart that cannot
/// be drawn) is reported and does not stop the others: nothing measured is lost.
/// </summary>
internal static class MonitorResultsWriter
{
    private static CompositeRenderer Renderers() =>
        new([new MonitorTextReport(), new CpuUsageChart(), new ProcessChart(), new ThreadsTextReport()]);

    public static RecordingFiles Write(RecordingResult result, string directory)
    {
        Directory.CreateDirectory(directory);
        var stamp = UniqueStamp(directory, ResultsFile.Timestamp(result.Recording.StartedAt));
        var summary = SummaryBuilder.Build(result);
        var doc = MonitorJson.Build(result, summary);
        var run = RunReportBuilder.Build(doc, new MonitorRecording(result, summary));
        var outcomes = Renderers().Write(ReportSet.Of([run]), new ReportOutput(directory, stamp));
        foreach (var o in outcomes)
            foreach (var file in o.Files) summary.Files[o.Format] = file;
        var jsonName = $"monitor-{stamp}.json";
        summary.Files["json"] = Path.GetFullPath(Path.Combine(directory, jsonName));
        MonitorJson.SetSummary(doc, summary);
        var jsonPath = ResultsFile.Write(doc, directory, jsonName);
        return new RecordingFiles(summary, jsonPath,
            outcomes.Where(o => o.Error is not null).Select(o => $"{o.Format}: {o.Error}").ToList());
    }

    /// <summary>The chat benchmark names files by second; two recordings in one second get _2, _3... rather than overwriting.</summary>
    private static string UniqueStamp(string directory, string stamp)
    {
        var candidate = stamp;
        for (var n = 2; File.Exists(Path.Combine(directory, $"monitor-{candidate}.json"))
            || File.Exists(Path.Combine(directory, $"server_cpu_results_{candidate}.txt")); n++)
        {
            candidate = $"{stamp}_{n}";
        }
        return candidate;
    }
}
