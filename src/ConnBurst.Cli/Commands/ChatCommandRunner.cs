using ConnBurst.Common;
using ConnBurst.Load.Chat;
using ConnBurst.Monitor;
using ConnBurst.Reporting;
using ConnBurst.Reporting.Chat;
using ConnBurst.Reporting.Compare;
using ConnBurst.Results;

namespace ConnBurst.Cli.Commands;

/// <summary>
/// Runs one chat load run per TLS version (two or more with --compare), each between a monitor START and STOP when a
/// monitor is given, writes each run's seed-named files, and the comparison when there is more than one run.
/// The last line of stdout is the (last) results JSON.
/// </summary>
public static class ChatCommandRunner
{
    public static async Task<int> RunAsync(IReadOnlyList<ChatRunOptions> runs, CancellationToken ct)
    {
        var first = runs[0];
        await using var monitor = first.Monitor is { } address ? await ConnectMonitorAsync(address, first.RequireMonitor, ct) : null;
        var written = new List<(ResultsDocument Doc, ChatResultFiles Files)>();
        var exit = ExitCodes.Ok;
        foreach (var o in runs)
        {
            Console.WriteLine($"chat: {o.Describe().ToJsonString()}");
            if (monitor is not null) await MonitorCallAsync(() => monitor.StartAsync($"chat-{o.ProtocolArg}-{o.Clients}x{o.MessagesPerClient}", ct), "START");
            var result = await new ChatRun(o, line => Console.WriteLine($"chat: {line}")).RunAsync(ct);
            if (monitor is not null)
            {
                // STOP even after Ctrl-C, so the monitor writes its side of what was measured.
                using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var summary = await MonitorCallAsync(() => monitor.StopAsync(stopTimeout.Token), "STOP");
                if (summary is not null) result.Document.Sections["server"] = summary.ToJsonNode();
            }
            var files = ChatResultsWriter.Write(result.Document, o.ResultsDir);
            written.Add((result.Document, files));
            if (files.Text is not null) Console.Write(File.ReadAllText(files.Text));
            foreach (var problem in files.Problems) Console.Error.WriteLine($"connburst chat: warning: {problem}");
            if (files.Text is not null) Console.WriteLine($"chat: results {files.Text}");
            if (files.Png is not null) Console.WriteLine($"chat: chart   {files.Png}");
            if (result.Error is not null)
            {
                Console.Error.WriteLine($"connburst chat: {result.Error}");
                exit = ExitCodes.RunFailed;
            }
            else if (result.Document.Outcome != "completed") exit = ExitCodes.RunFailed;
            if (ct.IsCancellationRequested || result.Error is not null)
            {
                Console.WriteLine(files.Json);
                return exit;
            }
        }
        if (written.Count > 1) WriteComparison(written, first.ResultsDir);
        Console.WriteLine(written[^1].Files.Json);
        return exit;
    }

    private static void WriteComparison(List<(ResultsDocument Doc, ChatResultFiles Files)> written, string directory)
    {
        var comparison = RunComparison.Build(written.Select(w => RunReportBuilder.Build(w.Doc, w.Files.Json)).ToList());
        var stem = $"TLS_compare_{string.Join("_vs_", written.Select(w => w.Doc.Config["tls"]?.ToString()))}_{ResultsFile.Timestamp(written[0].Doc.StartedAt)}";
        var text = Path.GetFullPath(Path.Combine(directory, stem + ".txt"));
        var body = CompareRenderer.Text(comparison);
        File.WriteAllText(text, body);
        Console.WriteLine();
        Console.Write(body);
        Console.WriteLine($"chat: comparison {text}");
        try { Console.WriteLine($"chat: comparison chart {ComparePng.Save(comparison, Path.Combine(directory, stem + ".png"))}"); }
        catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException)
        {
            Console.Error.WriteLine($"connburst chat: warning: comparison chart: {e.Message}");
        }
    }

    private static async Task<MonitorClient?> ConnectMonitorAsync(HostPort address, bool required, CancellationToken ct)
    {
        try
        {
            var client = await MonitorClient.ConnectAsync(address, token: null, ct, TimeSpan.FromSeconds(10));
            Console.WriteLine($"chat: monitor {address} connected");
            return client;
        }
        catch (Exception e) when (e is InputException or MonitorClientException)
        {
            var why = e.Message.StartsWith($"monitor {address}: ", StringComparison.Ordinal) ? e.Message[$"monitor {address}: ".Length..] : e.Message;
            var message = Unreachable.Message("server monitor", address, why);
            if (required) throw new InputException(message + " (--require-monitor)");
            Console.Error.WriteLine($"connburst chat: WARNING {message} Running without it (use --require-monitor to stop instead).");
            return null;
        }
    }

    private static async Task<T?> MonitorCallAsync<T>(Func<Task<T>> call, string what) where T : class
    {
        try { return await call(); }
        catch (Exception e) when (e is MonitorClientException or OperationCanceledException or IOException)
        {
            Console.Error.WriteLine($"connburst chat: WARNING monitor {what} failed: {e.Message}");
            return null;
        }
    }

    private static async Task MonitorCallAsync(Func<Task> call, string what) =>
        await MonitorCallAsync<object>(async () => { await call(); return new object(); }, what);
}
