using System.Diagnostics;
using ConnBurst.Common;
using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tests.Servers;

namespace ConnBurst.Tests.Load;

/// <summary>Faults during a run, with real processes and real signals: the run goes on, counts what happened, and loses nothing.</summary>
public sealed class BurstFaultTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task AServerKilledAndRestartedOnThePortIsAnOutageInTheResultsAndTheScheduleIsHeld()
    {
        using var dir = new TempDir();
        var port = FreePort.Next();
        var server = await MqttServerProcess.StartOnPortAsync(TestPki.Dir, port);
        // 100 clients cycling every second want more than 50 attempts a second: the pacer is saturated, so the
        // attempts follow the schedule, rate x duration, whatever the server does.
        using var burst = CliProcess.Start("burst", "--target", $"127.0.0.1:{port}", "--pki", TestPki.Dir, "--clients", "100", "--rate",
            "50",
            "--linger", "1s", "--duration", "30s", "--timeout", "3s", "--snapshot", "1s", "--results", dir.Path);
        await burst.WaitForOutputAsync("connected", RunTimeout);
        await Journals.WaitForAsync(dir.Path, i => i.Values.GetValueOrDefault("connacks") > 0, RunTimeout);

        Assert.True(Signals.Send(server.Process.Pid, Signals.Kill));
        await server.Process.WaitAsync(TimeSpan.FromSeconds(10));
        server.Dispose();
        // The outage lasts until the run has journaled a whole interval of it.
        await Journals.WaitForAsync(dir.Path, i => i.Values.GetValueOrDefault("connacks") == 0 && i.Values.GetValueOrDefault("failed") > 0,
            RunTimeout);
        using var restarted = await MqttServerProcess.StartOnPortAsync(TestPki.Dir, port);
        var listeningAt = DateTimeOffset.UtcNow;

        var run = await burst.WaitAsync(RunTimeout);
        Assert.True(run.ExitCode == 0, run.ToString());
        var doc = ResultsFile.Read(run.LastLine);
        Assert.Equal("completed", doc.Outcome);
        // Never more than the schedule; fewer only by what a late last tick leaves unlaunched (generous: 4 s of it).
        Assert.InRange(doc.Counts.Attempted, 1300, 1501);
        Assert.True(doc.Counts.Failed.GetValueOrDefault("tcp-refused") > 0, string.Join(", ", doc.Counts.Failed));

        // The outage: whole intervals with attempts, failures and no CONNACK; then CONNACKs again once the server listens.
        Assert.Contains(doc.Intervals, i => i.Values["connacks"] == 0 && i.Values["failed"] > 0 && i.Values["attempted"] > 0);
        var sinceStart = (listeningAt - doc.StartedAt).TotalSeconds;
        Assert.True(doc.Intervals.Any(i => i.Seconds > sinceStart && i.Values["connacks"] > 0),
            $"no CONNACK after the server listened again at {sinceStart:0.0} s\n{run}");
        Assert.True(doc.Intervals[^1].Values["connacks"] > 0);
        // The interval CSV shows the same outage: a counts row with attempts, failures and no CONNACK.
        var csv = File.ReadAllLines(doc.Section("files")!["intervals"]!.GetValue<string>());
        var header = csv[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name);
        Assert.Contains(csv.Skip(1).Select(l => l.Split(',')), r => r[1] == "counts" && r[Col("connacks")] == "0" && r[Col("failed")] != "0"
            && r[Col("attempted")] != "0");
    }

    [Fact]
    public async Task AMonitorThatDiesMidRunIsSaidOnceAndTheResultsSayTheServerSideIsMissing()
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        using var monitor = await ConnBurst.Tests.Monitor.MonitorProcess.StartAsync(dir,
            ["--pid", broker.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        using var burst = CliProcess.Start("burst", "--target", broker.Target, "--pki", TestPki.Dir, "--clients", "50", "--rate", "25",
            "--linger", "1s", "--duration", "10s", "--snapshot", "1s", "--monitor", monitor.Endpoint.ToString(), "--results",
                dir.Combine("burst"));
        await burst.WaitForOutputAsync("connected", RunTimeout);
        monitor.Process.Kill();

        var run = await burst.WaitAsync(RunTimeout);
        Assert.True(run.ExitCode == 0, run.ToString());
        var doc = ResultsFile.Read(run.LastLine);
        Assert.Equal("completed", doc.Outcome);
        Assert.True(doc.Counts.Connacks > 100, run.ToString()); // it went on to the end
        Assert.Null(doc.Section("server"));
        Assert.Contains("went away", doc.Section("serverMissing")!.GetValue<string>());
        Assert.Single((run.Stdout + run.Stderr).Split('\n'), l => l.Contains("monitor", StringComparison.Ordinal)
            && l.Contains("warning", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFullDiskStopsTheRunInOneLineAndLeavesWholeLinesInItsFiles()
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        using var disk = new SmallDisk(dir, "96k");
        var mount = disk.Path;
        using var burst = CliProcess.Start("burst", "--target", broker.Target, "--pki", TestPki.Dir, "--clients", "100", "--rate", "50",
            "--linger", "1s", "--duration", "60s", "--snapshot", "100ms", "--results", mount);
        var run = await burst.WaitAsync(RunTimeout);

        Assert.True(run.ExitCode == 1, run.ToString());
        var said = (run.Stdout + run.Stderr).Split('\n').Where(l => l.Contains("No space left", StringComparison.Ordinal)).ToList();
        Assert.True(said.Count is >= 1 and <= 2, run.ToString()); // the stop, and the results JSON that then could not be written
        Assert.DoesNotContain("   at ", run.Stderr);
        var csv = Directory.GetFiles(mount, "*-intervals.csv").Single();
        var lines = File.ReadAllText(csv).Split('\n');
        Assert.Equal("", lines[^1]); // ends with a whole line
        Assert.All(lines[..^1], l => Assert.Equal(lines[0].Count(c => c == ','), l.Count(c => c == ',')));
        Assert.True(lines.Length > 10, "the run wrote intervals before the disk filled");
        var journal = Directory.GetFiles(mount, "*.journal.jsonl").Single();
        var back = ResultsJournal.Read(journal);
        Assert.Equal(0, back.Section("unfinished")!["tornLines"]!.GetValue<int>());
        Assert.True(back.Counts.Attempted > 0);
    }

    [Fact]
    public async Task ARunKilledTenSecondsInLeavesAJournalThatReportTurnsIntoThoseTenSeconds()
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        using var burst = CliProcess.Start("burst", "--target", broker.Target, "--pki", TestPki.Dir, "--clients", "100", "--rate", "50",
            "--linger", "1s", "--duration", "30s", "--snapshot", "1s", "--results", dir.Path);
        await burst.WaitForOutputAsync("connected", RunTimeout);
        var journaled = await Journals.WaitForAsync(dir.Path, i => i.Seconds >= 9, RunTimeout);
        Assert.True(Signals.Send(burst.Pid, Signals.Kill));
        await burst.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Empty(Directory.GetFiles(dir.Path, "burst-*[0-9].json"));
        var report = await CliProcess.RunAsync(RunTimeout, "report", dir.Path, "--html", dir.Combine("killed.html"));
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Contains("interrupted", report.Stdout);
        var doc = ConnBurst.Recording.UnfinishedRuns.Complete(ResultsJournal.Read(Directory.GetFiles(dir.Path, "*.journal.jsonl")
            .Single()));
        // It covers at least what was journaled before the kill, and no attempt beyond the schedule of those seconds.
        var covers = doc.Section("unfinished")!["coversSeconds"]!.GetValue<double>();
        Assert.InRange(covers, journaled.Seconds - 1, 30);
        Assert.InRange(doc.Counts.Attempted, 1, 50 * (covers + 1));
        Assert.Equal(doc.Counts.Connacks, doc.Latency["total"].Count);
        Assert.True(File.Exists(dir.Combine("killed.html")));
    }
}
