using ConnBurst.Common;
using ConnBurst.Load;
using ConnBurst.Recording;
using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Load;

/// <summary>
/// An error that belongs to no single attempt (on an event loop's thread, on the snapshot thread) and a worker that hangs
/// without dying: each ends the run in order, with what was measured written and the error or the worker named.
/// </summary>
public sealed class RunFaultTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    private sealed class ThrowingProgress : IProgress<IntervalProgress>
    {
        public void Report(IntervalProgress value) => throw new InvalidOperationException("progress consumer broke");
    }

    [Fact]
    public async Task AnErrorOnTheSnapshotThreadFailsTheRunWithItsResultsWrittenAndTheErrorNamed()
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        var options = new BurstOptions
        {
            Target = HostPort.Parse(broker.Target, "--target"), PkiDir = TestPki.Dir, Clients = 200, Rate = 50,
            Snapshot = TimeSpan.FromSeconds(1), ConnectTimeout = TimeSpan.FromSeconds(30), ResultsDir = dir.Path,
        };
        var log = new List<string>();
        var doc = await BurstRunner.RunAsync(options, new ThrowingProgress(), CancellationToken.None, l => { lock (log) log.Add(l); })
            .WaitAsync(RunTimeout);

        Assert.Equal(BurstOutcomes.Failed, doc.Outcome);
        var errors = doc.Section("errors")!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Contains(errors, e => e.Contains("snapshot thread", StringComparison.Ordinal)
            && e.Contains("progress consumer broke", StringComparison.Ordinal));
        var written = ResultsFile.Read(doc.Section("files")!["results"]!.GetValue<string>());
        Assert.Equal(BurstOutcomes.Failed, written.Outcome);
        Assert.True(written.Counts.Attempted > 0 && written.Counts.Attempted < 200, $"attempted {written.Counts.Attempted}");
    }

    [Fact]
    public async Task AnErrorOnAnEventLoopOutsideAnyAttemptFailsTheRunInOrder()
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        var plan = BurstPlan.Prepare(new BurstOptions
        {
            Target = HostPort.Parse(broker.Target, "--target"), PkiDir = TestPki.Dir, Clients = 400, Rate = 100,
            Snapshot = TimeSpan.FromSeconds(1), ConnectTimeout = TimeSpan.FromSeconds(30), ResultsDir = dir.Path,
            TlsEngine = ConnBurst.Tls.TlsEngine.OpenSsl,
        });
        BurstEngine engine = null!;
        engine = new BurstEngine(plan, plan.Options.Shard, DateTimeOffset.UtcNow)
        {
            LoopTurnProbe = loop =>
            {
                if (loop == 0 && engine.Counters.Attempted >= 20) throw new InvalidOperationException("loop bug");
            },
        };
        var reports = new List<IntervalReport>();
        var outcome = await engine.RunAsync(r => { lock (reports) reports.Add(r); }, CancellationToken.None).WaitAsync(RunTimeout);

        Assert.Equal(BurstOutcomes.Failed, outcome);
        Assert.Contains("event loop 0", engine.Error);
        Assert.Contains("loop bug", engine.Error);
        Assert.True(reports.Count > 0 && reports[^1].Final, "no final report");
        var total = new CounterSnapshot();
        foreach (var r in reports) total.Add(r.Counters, addGauges: false);
        // Every attempt made is accounted for: connected (and then closed by us), failed or abandoned at the end.
        var failed = total.Failures.Values.Sum();
        Assert.True(total.Total("attempted") >= 20 && total.Total("attempted") < 400, $"attempted {total.Total("attempted")}");
        Assert.Equal(total.Total("attempted"), total.Total("connacks") + failed + total.Total("abandonedAtEnd"));
        Assert.Equal(total.Total("connacks"), total.Total("disconnectedByClient") + total.Total("disconnectedByServer"));
    }

    [Fact]
    public async Task AWorkerThatHangsWithoutDyingIsNamedKilledAndDroppedAndTheRunIsPartial()
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        using var burst = CliProcess.Start("burst", "--target", broker.Target, "--pki", TestPki.Dir, "--clients", "200", "--rate", "20",
            "--workers", "2", "--linger", "2s", "--duration", "8s", "--connect-timeout", "30s", "--interval", "1s", "--out", dir.Path);
        var victim = await WorkerLossTests.SecondWorkerAsync(burst);
        Assert.True(Signals.Send(victim, 19 /* SIGSTOP: alive, and silent */));

        // Without the watchdog the run would wait for the stopped worker for ever.
        var run = await burst.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(run.ExitCode == 1, run.ToString());
        var doc = ResultsFile.Read(run.LastLine);
        Assert.Equal("partial", doc.Outcome);
        var lost = doc.Section("lostWorkers")!.AsArray();
        Assert.Single(lost);
        Assert.Contains("hung", lost[0]!["exit"]!.GetValue<string>());
        Assert.Contains("] hung: no report for 15s, killed", run.Stdout + run.Stderr);
        Assert.False(Directory.Exists($"/proc/{victim}") && !File.ReadAllText($"/proc/{victim}/stat").Contains(" Z "),
            "the hung worker is still alive");
    }
}
