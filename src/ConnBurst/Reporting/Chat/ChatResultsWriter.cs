using ConnBurst.Reporting.Renderers;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Chat;

/// <summary>The files one chat run leaves in the results directory, under the chat benchmark's names.</summary>
internal sealed record ChatResultFiles(string Json, string? Text, string? Png, IReadOnlyList<string> Problems);

/// <summary>
/// Writes a chat run's three files: <c>TLS_1_3_client_results_&lt;TS&gt;.json</c>, then through the renderers'
/// composite <c>TLS_1_3_client_results_&lt;TS&gt;.txt</c> and <c>TLS_1_3_client_performance_&lt;TS&gt;.png</c>. The JSON is
/// written first and always; a renderer that fails is reported and the others still write.
/// </summary>
internal static class ChatResultsWriter
{
    private static CompositeRenderer Renderers() => new([new ChatTextReport(), new ChatPerformanceChart()]);

    public static ChatResultFiles Write(ResultsDocument doc, string directory)
    {
        Directory.CreateDirectory(directory);
        var ts = ResultsFile.Timestamp(doc.StartedAt);
        var json = ResultsFile.Write(doc, directory, FileName(doc, "results", ts, "json"));
        var outcomes = Renderers().Write(ReportSet.Of([RunReportBuilder.Build(doc, json)]), new ReportOutput(directory, ts));
        string? FileOf(string format) => outcomes.Single(o => o.Format == format).Files.FirstOrDefault();
        return new ChatResultFiles(json, FileOf("txt"), FileOf("png"),
            outcomes.Where(o => o.Error is not null).Select(o => $"{o.Format}: {o.Error}").ToList());
    }

    /// <summary>The chat benchmark's name for a run's file: <c>TLS_1_3_client_&lt;what&gt;_&lt;TS&gt;.&lt;ext&gt;</c>.</summary>
    public static string FileName(ResultsDocument doc, string what, string timestamp, string extension) =>
        $"{(doc.Config["tls"]?.ToString() == "tls13" ? "TLS_1_3" : "TLS_1_2")}_client_{what}_{timestamp}.{extension}";
}
