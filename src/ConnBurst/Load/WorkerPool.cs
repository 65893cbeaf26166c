using ConnBurst.Common;
using ConnBurst.Recording;

namespace ConnBurst.Load;

/// <summary>
/// Runs a burst across worker processes of the same executable (<c>connburst burst --worker</c>, told its
/// <see cref="WorkerAssignment"/> on stdin), each with its share of the agent's clients and source IPs and at most ~18,000 sockets (the fd
/// limit is 20,000). Workers stream
/// <see cref="IntervalReport"/> lines on stdout; this merges them live. Stopping closes the workers' stdin; a worker
/// that dies is folded out of the merge with everything it reported until then.
/// </summary>
internal static class WorkerPool
{
    public static async Task<string> RunAsync(BurstPlan plan, DateTimeOffset startAt, BurstAggregator aggregator, CancellationToken ct,
        Action<string>? log)
    {
        var n = plan.Workers;
        var gate = new Lock();
        var outcomes = new string?[n];
        var lastIndex = Enumerable.Repeat(-1, n).ToArray();
        var workers = new ChildProcess[n];
        try
        {
            for (int i = 0; i < n; i++)
            {
                var shard = i;
                workers[i] = ChildProcess.Start(SelfProcess.StartInfo(["burst", "--worker"]),
                    (line, stderr) => OnLine(line, stderr, shard, aggregator, gate, outcomes, lastIndex, log));
                // The assignment on stdin, which stays open: closing it means stop.
                workers[i].WriteLine(new WorkerAssignment(plan.Options, new Shard(i, n), startAt).ToLine());
            }
            using var stop = ct.Register(() => { foreach (var w in workers) w.CloseInput(); });
            await Task.WhenAll(workers.Select((w, i) => FoldOutWhenLostAsync(w, i, aggregator, gate, outcomes, lastIndex, log)))
                .ConfigureAwait(false);
        }
        finally
        {
            foreach (var w in workers)
            {
                if (w is null) continue;
                if (!await w.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false)) w.Kill();
                w.Dispose();
            }
            lock (gate) aggregator.Flush();
        }
        if (ct.IsCancellationRequested) return BurstOutcomes.Interrupted;
        if (outcomes.Any(o => o is null)) return BurstOutcomes.Partial;
        if (outcomes.Contains(BurstOutcomes.PeerLost)) return BurstOutcomes.PeerLost;
        return outcomes.All(o => o == BurstOutcomes.Completed) ? BurstOutcomes.Completed
            : outcomes.First(o => o != BurstOutcomes.Completed)!;
    }

    /// <summary>A worker's line, in order: an interval report to merge, its outcome, or a message to pass on.</summary>
    internal static void OnLine(string line, bool stderr, int shard, BurstAggregator aggregator, Lock gate, string?[] outcomes,
        int[] lastIndex, Action<string>? log)
    {
        if (stderr)
        {
            log?.Invoke($"[worker {shard}] {line}");
        }
        else if (line.StartsWith(IntervalReport.LinePrefix, StringComparison.Ordinal))
        {
            if (ParseReport(line, shard, log) is not { } report) return;
            report.Shard = shard;
            lastIndex[shard] = report.Index;
            lock (gate) aggregator.Add(report);
            if (report.Final) outcomes[shard] ??= "completed";
        }
        else if (line.StartsWith(WorkerOutcomePrefix, StringComparison.Ordinal))
        {
            outcomes[shard] = line[WorkerOutcomePrefix.Length..].Trim();
        }
        else if (line.Length > 0)
        {
            log?.Invoke($"[worker {shard}] {line}");
        }
    }

    /// <summary>
    /// A report line that does not parse (a worker killed in the middle of writing one: a report is longer than a pipe
    /// takes in one write) is dropped with a message, not thrown: this runs on the process's output event, where an
    /// exception would end the parent and every worker's results with it. The worker's end is handled where it is awaited.
    /// </summary>
    private static IntervalReport? ParseReport(string line, int shard, Action<string>? log)
    {
        try
        {
            return IntervalReport.TryParse(line, out var report) ? report : null;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException)
        {
            log?.Invoke($"[worker {shard}] an unreadable report line ({line.Length} characters) was dropped: {e.Message}");
            return null;
        }
    }

    private static async Task FoldOutWhenLostAsync(ChildProcess w, int shard, BurstAggregator aggregator, Lock gate, string?[] outcomes,
        int[] lastIndex,
        Action<string>? log)
    {
        await w.WaitAsync(Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        if (outcomes[shard] is not null) return;
        // The others go on: their clients are not this worker's, and the schedule of each is its own.
        var how = w.ExitDescription ?? "unknown";
        log?.Invoke(
            $"[worker {shard}] lost: exited ({how}) without its final report; its clients stop here, its figures up to interval " +
            $"{lastIndex[shard]} are kept, the other workers go on");
        lock (gate)
        {
            aggregator.MarkLost(shard, how, lastIndex[shard]);
            aggregator.Add(new IntervalReport { Shard = shard, Index = lastIndex[shard] + 1, Final = true, Histograms = [],
                EncodedHistograms = new() });
        }
    }

    /// <summary>A worker's last stdout line names how its share ended.</summary>
    public const string WorkerOutcomePrefix = "@connburst-outcome ";
}
