using ConnBurst.Load.Chat;
using ConnBurst.Reporting;
using ConnBurst.Reporting.Chat;
using ConnBurst.Reporting.Compare;
using ConnBurst.Results;

namespace ConnBurst.Runs;

/// <summary>
/// <c>connburst chat</c> as a whole: one chat run per TLS version (two or more with --compare), each between a monitor
/// START and STOP when a monitor is given (its summary becomes the run's "server" section), each run's files under
/// the chat benchmark's names, and the comparison when there is more than one run. Ctrl-C or a failed run ends the
/// series after that run's files are written.
/// </summary>
internal static class ChatSeries
{
    public static async Task<ChatSeriesResult> RunAsync(IReadOnlyList<ChatRunOptions> runs, IChatSeriesView view, CancellationToken ct)
    {
        var first = runs[0];
        await using var monitor = first.Monitor is { } address
            ? await OptionalMonitor.ConnectAsync(address, first.MonitorToken, first.RequireMonitor, view.Say, view.Warn, ct)
            : null;
        var written = new List<ChatRunWritten>();
        foreach (var o in runs)
        {
            view.Say(o.Describe().ToJsonString());
            if (monitor is not null) await monitor.StartAsync($"chat-{o.ProtocolArg}-{o.Clients}x{o.MessagesPerClient}", ct);
            var result = await new ChatRun(o, view.Say).RunAsync(ct);
            using var journal = result.Journal;
            if (monitor is not null)
            {
                if (await monitor.StopAsync() is { } summary) result.Document.Sections["server"] = summary.ToJsonNode();
                else result.Document.Sections["serverMissing"] = monitor.Gone;
            }
            var run = new ChatRunWritten(result.Document, ChatResultsWriter.Write(result.Document, o.ResultsDir), result.Error);
            journal.Complete(); // the results are on disk: the journal has nothing they do not
            written.Add(run);
            view.Written(run);
            if (ct.IsCancellationRequested || result.Error is not null) return new ChatSeriesResult(written);
        }
        if (written.Count > 1) view.Compared(Compare(written, first.ResultsDir));
        return new ChatSeriesResult(written);
    }

    private static ChatComparisonFiles Compare(List<ChatRunWritten> written, string directory)
    {
        var comparison = RunComparison.Build(written.Select(w => RunReportBuilder.Build(w.Doc, w.Files.Json)).ToList());
        var stem = $"TLS_compare_{string.Join("_vs_", written.Select(w => w.Doc.Config["tls"]?.ToString()))}_" +
            $"{ResultsFile.Timestamp(written[0].Doc.StartedAt)}";
        var text = Path.GetFullPath(Path.Combine(directory, stem + ".txt"));
        var body = CompareRenderer.Text(comparison);
        File.WriteAllText(text, body);
        try { return new ChatComparisonFiles(text, body, ComparePng.Save(comparison, Path.Combine(directory, stem + ".png")), null); }
        catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException)
        {
            return new ChatComparisonFiles(text, body, null, e.Message);
        }
    }
}

/// <summary>What a chat series tells whoever shows it, as it goes.</summary>
internal interface IChatSeriesView
{
    /// <summary>A progress line: each run's configuration and its own lines, the monitor connecting.</summary>
    void Say(string line);

    /// <summary>A problem the series goes on after: the monitor unreachable, a START or STOP that failed.</summary>
    void Warn(string text);

    /// <summary>A run ended and its files are written.</summary>
    void Written(ChatRunWritten run);

    void Compared(ChatComparisonFiles comparison);
}

/// <summary>One finished chat run: its results, its files, and the error that ended it early (null when none).</summary>
internal sealed record ChatRunWritten(ResultsDocument Doc, ChatResultFiles Files, string? Error);

/// <summary>The comparison of a series' runs: its text (file and body) and chart, or why the chart failed.</summary>
internal sealed record ChatComparisonFiles(string TextPath, string Body, string? PngPath, string? PngError);

/// <summary>Every run that was written, in order; the series failed when one ended early or did not complete.</summary>
internal sealed record ChatSeriesResult(IReadOnlyList<ChatRunWritten> Runs)
{
    public bool Failed => Runs.Any(r => r.Error is not null || r.Doc.Outcome != "completed");
    /// <summary>The last run's results JSON: what the command prints last.</summary>
    public string LastJson => Runs[^1].Files.Json;
}
