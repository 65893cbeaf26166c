using ConnBurst.Common;
using ConnBurst.Monitor;
using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Monitor;

/// <summary>
/// A recording outlives its monitor: SIGKILLed mid-recording, the monitor leaves a journal of every sample, which
/// <c>report</c> reads as the recording, "interrupted"; a recording that is STOPped leaves no journal.
/// </summary>
public sealed class MonitorCrashTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AMonitorKilledMidRecordingLeavesAJournalThatReportReadsAsTheRecordingInterrupted()
    {
        using var dir = new TempDir();
        using var monitor = await MonitorProcess.StartAsync(dir,
            ["--interval", "250ms", "--pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await using (var client = await MonitorClient.ConnectAsync(monitor.Endpoint, token: null, timeout: Wait))
        {
            await client.StartAsync("killed");
            await MonitorProcess.WaitForSamplesAsync(() => client.StatusAsync(), 8, Wait);
        }
        Assert.True(monitor.Process.Signal(Signals.Kill));
        await monitor.Process.WaitAsync(Wait);

        Assert.Empty(Directory.GetFiles(monitor.ResultsDir, "monitor-*[0-9].json"));
        var journal = Assert.Single(Directory.GetFiles(monitor.ResultsDir, "monitor-*.journal.jsonl"));
        var doc = UnfinishedRecordings.Complete(ResultsJournal.Read(journal));
        Assert.Equal("monitor", doc.Kind);
        Assert.Equal("interrupted", doc.Outcome);
        var section = doc.Section("monitor")!;
        var samples = section["samples"]!.GetValue<int>();
        Assert.True(samples >= 8, $"samples {samples}");
        Assert.Equal(samples, section["series"]!["cpu"]!["cpu0"]!["busy"]!.AsArray().Count);
        var summary = section["summary"]!;
        Assert.Equal(Environment.ProcessorCount, summary["cpu"]!["cores"]!.GetValue<int>());
        Assert.NotNull(summary["process"]); // the watched process's series were journaled with the rest

        var report = await CliProcess.RunAsync(Wait, "report", monitor.ResultsDir, "--html", dir.Combine("killed.html"));
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Contains("interrupted", report.Stdout);
        Assert.True(File.Exists(dir.Combine("killed.html")));
    }

    [Fact]
    public async Task AStoppedRecordingLeavesNoJournal()
    {
        using var dir = new TempDir();
        using var monitor = await MonitorProcess.StartAsync(dir, ["--interval", "250ms"]);
        await using var client = await MonitorClient.ConnectAsync(monitor.Endpoint, token: null, timeout: Wait);
        await client.StartAsync("stopped");
        await MonitorProcess.WaitForSamplesAsync(() => client.StatusAsync(), 3, Wait);
        var summary = await client.StopAsync();
        Assert.True(File.Exists(summary.Files["json"]));
        Assert.Empty(Directory.GetFiles(monitor.ResultsDir, "*.journal.jsonl"));
    }
}
