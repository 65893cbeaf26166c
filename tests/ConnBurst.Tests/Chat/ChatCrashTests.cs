using System.Globalization;
using ConnBurst.Common;
using ConnBurst.Recording;
using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Chat;

/// <summary>
/// A chat run's results outlive its process: SIGKILLed mid-send it leaves a journal of every closed interval, which
/// <c>report</c> reads as "interrupted"; a full disk stops it in one line with the journal's lines whole.
/// </summary>
public class ChatCrashTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task AChatRunKilledMidSendLeavesAJournalThatReportReadsAsInterrupted()
    {
        using var server = await ChatServerProcess.StartAsync();
        using var dir = new TempDir();
        var results = dir.Combine("results");
        // 40 clients x 100 messages over 20 s: killed once the journal holds two intervals with messages sent.
        using var chat = CliProcess.Start("chat", "127.0.0.1", server.Port.ToString(CultureInfo.InvariantCulture), "tls12", "40", "100",
            "20",
            "--pki", TestPki.Dir, "--results", results);
        await chat.WaitForOutputAsync("sending", RunTimeout);
        await Journals.WaitForAsync(results, i => i.Values.GetValueOrDefault("messagesSent") > 0, RunTimeout, count: 2);
        Assert.True(Signals.Send(chat.Pid, Signals.Kill));
        await chat.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Empty(Directory.GetFiles(results, "*.json"));
        var journal = Assert.Single(Directory.GetFiles(results, "chat-tls12-*.journal.jsonl"));
        var doc = UnfinishedRuns.Complete(ResultsJournal.Read(journal));
        Assert.Equal("chat", doc.Kind);
        Assert.Equal("interrupted", doc.Outcome);
        Assert.Equal(40, doc.Counts.Attempted);
        Assert.Equal(40, doc.Counts.Connected);
        var sent = doc.Counts.Other["messagesSent"];
        // Killed mid-send: some of the 4,000 messages were sent, not all, and each came back to its sender at most once.
        Assert.InRange(sent, 1, 3999);
        Assert.InRange(doc.Latency["roundtrip"].Count, 1, sent);
        Assert.Equal(40, doc.Latency["tls"].Count);
        Assert.True(doc.Latency["fanout"].Count > doc.Latency["roundtrip"].Count);

        var report = await CliProcess.RunAsync(RunTimeout, "report", results, "--html", dir.Combine("killed.html"));
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Contains("interrupted", report.Stdout);
        Assert.True(File.Exists(dir.Combine("killed.html")));
    }

    [Fact]
    public async Task AFinishedChatRunLeavesNoJournal()
    {
        using var server = await ChatServerProcess.StartAsync();
        using var dir = new TempDir();
        var r = await CliProcess.RunAsync(RunTimeout, "chat", "127.0.0.1", server.Port.ToString(CultureInfo.InvariantCulture), "tls13",
            "10", "5", "2",
            "--pki", TestPki.Dir, "--results", dir.Path);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Empty(Directory.GetFiles(dir.Path, "*.journal.jsonl"));
        var doc = ResultsFile.Read(r.LastLine);
        // Its intervals carry their histograms, as a burst's do: the same sums as the totals.
        var roundtrips = doc.Intervals.Sum(i => IntervalHistograms.DecodeNamed(i.Histograms).GetValueOrDefault("roundtrip")?.TotalCount
            ?? 0);
        Assert.Equal(doc.Latency["roundtrip"].Count, roundtrips);
    }

    [Fact]
    public async Task AFullDiskStopsTheChatRunInOneLineWithTheJournalWhole()
    {
        using var server = await ChatServerProcess.StartAsync();
        using var dir = new TempDir();
        using var disk = new SmallDisk(dir, "64k");
        var mount = disk.Path;
        var r = await CliProcess.RunAsync(RunTimeout, "chat", "127.0.0.1", server.Port.ToString(CultureInfo.InvariantCulture), "tls12",
            "50", "400", "40",
            "--pki", TestPki.Dir, "--results", mount);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains(r.Stdout.Split('\n').Concat(r.Stderr.Split('\n')), l => l.Contains("No space left", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", r.Stderr);
        var back = ResultsJournal.Read(Assert.Single(Directory.GetFiles(mount, "*.journal.jsonl")));
        Assert.Equal(0, back.Section("unfinished")!["tornLines"]!.GetValue<int>());
        Assert.True(back.Intervals.Count > 0, "the run journaled intervals before the disk filled");
    }
}
