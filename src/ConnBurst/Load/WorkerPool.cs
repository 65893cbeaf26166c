using System.Diagnostics;
using ConnBurst.Common;
using ConnBurst.Recording;

namespace ConnBurst.Load;

/// <summary>
/// Runs a burst across worker processes of the same executable (<c>connburst burst --worker</c>, told its
/// <see cref="WorkerAssignment"/> on stdin), each with its share of the agent's clients and source IPs and at most ~18,000 sockets (the fd limit is 20,000). Workers stream
/// <see cref="IntervalReport"/> lines on stdout; this merges them live. Stopping closes the workers' stdin; a worker
/// that dies is folded out of the merge with everything it reported until then.
/// </summary>
internal static class WorkerPool
{
    public static async Task<string> RunAsync(BurstPlan plan, DateTimeOffset startAt, BurstAggregator aggregator, CancellationToken ct, Action<string>? log)
    {
        var n = plan.Workers;
        var gate = new Lock();
        var outcomes = new string?[n];
        var processes = new Process[n];
        try
        {
            for (int i = 0; i < n; i++) processes[i] = Start(plan.Options, new Shard(i, n), startAt);
            var tasks = processes.Select((p, i) => Pump(p, i, aggregator, gate, outcomes, log)).ToArray();
            using var stop = ct.Register(() =>
            {
                foreach (var p in processes) try { p.StandardInput.Close(); } catch (Exception) { /* already gone */ }
            });
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        finally
        {
            foreach (var p in processes)
            {
                if (p is null) continue;
                try { if (!p.WaitForExit(TimeSpan.FromSeconds(10))) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                p.Dispose();
            }
            lock (gate) aggregator.Flush();
        }
        if (ct.IsCancellationRequested) return BurstOutcomes.Interrupted;
        if (outcomes.Any(o => o is null)) return BurstOutcomes.Partial;
        if (outcomes.Contains(BurstOutcomes.PeerLost)) return BurstOutcomes.PeerLost;
        return outcomes.All(o => o == BurstOutcomes.Completed) ? BurstOutcomes.Completed : outcomes.First(o => o != BurstOutcomes.Completed)!;
    }

    private static async Task Pump(Process p, int shard, BurstAggregator aggregator, Lock gate, string?[] outcomes, Action<string>? log)
    {
        var stderr = Task.Run(async () =>
        {
            string? line;
            while ((line = await p.StandardError.ReadLineAsync().ConfigureAwait(false)) is not null) log?.Invoke($"[worker {shard}] {line}");
        });
        string? l;
        var lastIndex = -1;
        while ((l = await p.StandardOutput.ReadLineAsync().ConfigureAwait(false)) is not null)
        {
            if (IntervalReport.TryParse(l, out var report))
            {
                report.Shard = shard;
                lastIndex = report.Index;
                lock (gate) aggregator.Add(report);
                if (report.Final) outcomes[shard] ??= "completed";
            }
            else if (l.StartsWith(WorkerOutcomePrefix, StringComparison.Ordinal))
            {
                outcomes[shard] = l[WorkerOutcomePrefix.Length..].Trim();
            }
            else if (l.Length > 0)
            {
                log?.Invoke($"[worker {shard}] {l}");
            }
        }
        await p.WaitForExitAsync().ConfigureAwait(false);
        await stderr.ConfigureAwait(false);
        if (outcomes[shard] is null)
        {
            // The others go on: their clients are not this worker's, and the schedule of each is its own.
            log?.Invoke($"[worker {shard}] lost: exited ({Signals.DescribeExit(p.ExitCode)}) without its final report; its clients stop here, its figures up to interval {lastIndex} are kept, the other workers go on");
            lock (gate)
            {
                aggregator.MarkLost(shard, Signals.DescribeExit(p.ExitCode), lastIndex);
                aggregator.Add(new IntervalReport { Shard = shard, Index = lastIndex + 1, Final = true, Histograms = [], EncodedHistograms = new() });
            }
        }
    }

    /// <summary>A worker's last stdout line names how its share ended.</summary>
    public const string WorkerOutcomePrefix = "@connburst-outcome ";

    /// <summary>Starts worker <paramref name="worker"/> and hands it its assignment on stdin (kept open: closing it means stop).</summary>
    private static Process Start(BurstOptions o, Shard worker, DateTimeOffset startAt)
    {
        var p = Process.Start(SelfProcess.StartInfo(["burst", "--worker"])) ?? throw new InvalidOperationException("cannot start a worker process");
        p.StandardInput.WriteLine(new WorkerAssignment(o, worker, startAt).ToLine());
        p.StandardInput.Flush();
        return p;
    }
}
