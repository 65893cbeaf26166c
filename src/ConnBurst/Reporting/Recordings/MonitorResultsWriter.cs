using ConnBurst.Monitor;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Recordings;

/// <summary>
/// Writes one finished recording: the chat benchmark's text file and CPU chart, the process chart and thread table when a
/// process was watched, and the results JSON last (it lists the other files). One format failing (a chart that
/// cannot be drawn) is reported and does not stop the others: nothing measured is lost.
/// </summary>
internal static class MonitorResultsWriter
{
    public static RecordingFiles Write(RecordingResult result, string directory)
    {
        Directory.CreateDirectory(directory);
        var stamp = UniqueStamp(directory, ResultsFile.Timestamp(result.Recording.StartedAt));
        var summary = SummaryBuilder.Build(result);
        var problems = new List<string>();

        void Try(string key, string fileName, Action<string> write)
        {
            var path = Path.GetFullPath(Path.Combine(directory, fileName));
            try
            {
                write(path);
                summary.Files[key] = path;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problems.Add($"{fileName}: {e.Message}");
            }
        }

        Try("txt", $"server_cpu_results_{stamp}.txt", p => MonitorTextWriter.WriteResults(p, result, summary));
        Try("png", $"server_cpu_usage_{stamp}.png", p => MonitorCharts.WriteCpu(p, result));
        if (result.ProcessName is not null || result.ProcessPid is not null)
        {
            Try("processPng", $"server_process_{stamp}.png", p => MonitorCharts.WriteProcess(p, result, summary));
            Try("threadsTxt", $"server_threads_{stamp}.txt", p => MonitorTextWriter.WriteThreads(p, result, summary));
        }
        var jsonName = $"monitor-{stamp}.json";
        summary.Files["json"] = Path.GetFullPath(Path.Combine(directory, jsonName));
        var doc = MonitorJson.Build(result, summary);
        var jsonPath = ResultsFile.Write(doc, directory, jsonName);
        return new RecordingFiles(summary, jsonPath, problems);
    }

    /// <summary>The chat benchmark names files by second; two recordings in one second get _2, _3... rather than overwriting.</summary>
    private static string UniqueStamp(string directory, string stamp)
    {
        var candidate = stamp;
        for (var n = 2; File.Exists(Path.Combine(directory, $"monitor-{candidate}.json")) || File.Exists(Path.Combine(directory, $"server_cpu_results_{candidate}.txt")); n++)
            candidate = $"{stamp}_{n}";
        return candidate;
    }
}
