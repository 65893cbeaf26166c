using ConnBurst.Results;

namespace ConnBurst.Reporting.Chat;

/// <summary>The files one chat run leaves in the results directory, under the chat benchmark's names.</summary>
public sealed record ChatResultFiles(string Json, string? Text, string? Png, IReadOnlyList<string> Problems);

/// <summary>
/// Writes a chat run's three files: <c>TLS_1_3_client_results_&lt;TS&gt;.txt</c>, <c>TLS_1_3_client_performance_&lt;TS&gt;.png</c>
/// and <c>TLS_1_3_client_results_&lt;TS&gt;.json</c>. The JSON is written first and always; a renderer that fails is
/// reported and the others still write.
/// </summary>
public static class ChatResultsWriter
{
    public static ChatResultFiles Write(ResultsDocument doc, string directory)
    {
        Directory.CreateDirectory(directory);
        var seed = doc.Config["tls"]?.ToString() == "tls13" ? "TLS_1_3" : "TLS_1_2";
        var ts = ResultsFile.Timestamp(doc.StartedAt);
        var json = ResultsFile.Write(doc, directory, $"{seed}_client_results_{ts}.json");
        var problems = new List<string>();
        string? text = Path.GetFullPath(Path.Combine(directory, $"{seed}_client_results_{ts}.txt"));
        string? png = Path.GetFullPath(Path.Combine(directory, $"{seed}_client_performance_{ts}.png"));
        try { File.WriteAllText(text, ChatTextReport.Render(doc)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { problems.Add($"text report: {e.Message}"); text = null; }
        try { ChatPerformanceChart.Save(doc, png); }
        catch (Exception e) { problems.Add($"chart: {e.Message}"); png = null; }
        return new ChatResultFiles(json, text, png, problems);
    }
}
