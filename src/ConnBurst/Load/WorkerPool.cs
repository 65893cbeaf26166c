using System.Diagnostics;
using ConnBurst.Common;
using ConnBurst.Recording;

namespace ConnBurst.Load;

/// <summary>
/// Runs a burst across worker processes of the same executable (<c>connburst burst --worker</c>, told its
/// <see cref="WorkerAssignment"/> on stdin), each with its share of the agent's clients and source IPs and at most ~18,000 sockets (the fd
/// limit is 20,000). Workers stream
/// <see cref="IntervalReport"/> lines on stdout; this merges them live. Stopping closes the workers' stdin; a worker
/// that dies is folded out of the merge with everything it reported until then, and so is one that hangs (silent for
/// <see cref="SilenceLimit"/>), killed first.
/// </summary>
internal static class WorkerPool
{
    public static async Task<string> RunAsync(BurstPlan plan, DateTimeOffset startAt, BurstAggregator aggregator, CancellationToken ct,
        Action<string>? log, RunErrors? errors = null)
    {
        var n = plan.Workers;
        var state = new WorkerStates(n, aggregator, log, errors, StartTimestamp(startAt));
        var workers = new ChildProcess[n];
        using var watching = new CancellationTokenSource();
        Task watchdog = Task.CompletedTask;
        try
        {
            for (int i = 0; i < n; i++)
            {
                var shard = i;
                workers[i] = ChildProcess.Start(SelfProcess.StartInfo(["burst", "--worker"]),
                    (line, stderr) => OnLine(line, stderr, shard, state));
                // The assignment on stdin, which stays open: closing it means stop.
                workers[i].WriteLine(new WorkerAssignment(plan.Options, new Shard(i, n), startAt).ToLine());
            }
            watchdog = KillHungAsync(workers, state, SilenceLimit(plan.Options.Snapshot), watching.Token);
            using var stop = ct.Register(() => { foreach (var w in workers) w.CloseInput(); });
            await Task.WhenAll(workers.Select((w, i) => FoldOutWhenLostAsync(w, i, state))).ConfigureAwait(false);
        }
        finally
        {
            await watching.CancelAsync().ConfigureAwait(false);
            await watchdog.ConfigureAwait(false);
            foreach (var w in workers)
            {
                if (w is null) continue;
                if (!await w.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false)) w.Kill();
                w.Dispose();
            }
            lock (state.Gate) aggregator.Flush();
        }
        var outcomes = state.Outcomes;
        if (ct.IsCancellationRequested) return BurstOutcomes.Interrupted;
        if (outcomes.Any(o => o is null)) return BurstOutcomes.Partial;
        if (outcomes.Contains(BurstOutcomes.PeerLost)) return BurstOutcomes.PeerLost;
        return outcomes.All(o => o == BurstOutcomes.Completed) ? BurstOutcomes.Completed
            : outcomes.First(o => o != BurstOutcomes.Completed)!;
    }

    /// <summary>
    /// How long a worker may send nothing on stdout before it counts as hung: five snapshot periods, at least 15 s. A
    /// working worker reports every period; at its end it closes its connections (up to the engine's 5 s stop deadline)
    /// before its final report, and a busy machine may delay it by seconds more.
    /// </summary>
    internal static TimeSpan SilenceLimit(TimeSpan snapshot) => TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(15).Ticks,
        snapshot.Ticks * 5));

    private static long StartTimestamp(DateTimeOffset startAt) =>
        Stopwatch.GetTimestamp() + (long)(Math.Max(0, (startAt - DateTimeOffset.UtcNow).TotalSeconds) * Stopwatch.Frequency);

    /// <summary>What the parent knows of each worker, written by the workers' output events and read by the pool.</summary>
    internal sealed class WorkerStates(int count, BurstAggregator aggregator, Action<string>? log, RunErrors? errors, long startTimestamp)
    {
        public Lock Gate { get; } = new();
        public BurstAggregator Aggregator => aggregator;
        public Action<string>? Log => log;
        public RunErrors? Errors => errors;
        /// <summary>How each worker's share ended, as it said; null until it did (or for ever, when it was lost).</summary>
        public string?[] Outcomes { get; } = new string?[count];
        public int[] LastIndex { get; } = Enumerable.Repeat(-1, count).ToArray();
        /// <summary>When each worker last wrote a line on stdout (the run's start until it first does).</summary>
        public long[] Heard { get; } = Enumerable.Repeat(startTimestamp, count).ToArray();
        /// <summary>Why the pool killed a worker (it hung), or null.</summary>
        public string?[] Killed { get; } = new string?[count];
    }

    /// <summary>A worker's line, in order: an interval report to merge, its outcome, its error, or a message to pass on.</summary>
    internal static void OnLine(string line, bool stderr, int shard, WorkerStates state)
    {
        var log = state.Log;
        if (stderr)
        {
            log?.Invoke($"[worker {shard}] {line}");
            return;
        }
        Volatile.Write(ref state.Heard[shard], Stopwatch.GetTimestamp());
        if (line.StartsWith(IntervalReport.LinePrefix, StringComparison.Ordinal))
        {
            if (ParseReport(line, shard, log) is not { } report) return;
            report.Shard = shard;
            state.LastIndex[shard] = report.Index;
            lock (state.Gate) state.Aggregator.Add(report);
            if (report.Final) state.Outcomes[shard] ??= "completed";
        }
        else if (line.StartsWith(WorkerOutcomePrefix, StringComparison.Ordinal))
        {
            state.Outcomes[shard] = line[WorkerOutcomePrefix.Length..].Trim();
        }
        else if (line.StartsWith(WorkerErrorPrefix, StringComparison.Ordinal))
        {
            state.Errors?.Add($"worker {shard}: {line[WorkerErrorPrefix.Length..].Trim()}");
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

    /// <summary>
    /// A worker alive but silent (stopped, deadlocked, starved) would hold every later interval of the merge open for ever,
    /// and the parent's memory with it: past <paramref name="limit"/> it is named and killed, and its end folds it out.
    /// </summary>
    private static async Task KillHungAsync(ChildProcess[] workers, WorkerStates state, TimeSpan limit, CancellationToken ct)
    {
        var limitTicks = (long)(limit.TotalSeconds * Stopwatch.Frequency);
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                for (int i = 0; i < workers.Length; i++)
                {
                    if (state.Outcomes[i] is not null || state.Killed[i] is not null || workers[i].HasExited) continue;
                    var silent = Stopwatch.GetTimestamp() - Volatile.Read(ref state.Heard[i]);
                    if (silent < limitTicks) continue;
                    state.Killed[i] = $"hung: no report for {Durations.Format(limit)}, killed";
                    state.Log?.Invoke($"[worker {i}] {state.Killed[i]}; its share of the run is dropped from here");
                    workers[i].Kill();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    private static async Task FoldOutWhenLostAsync(ChildProcess w, int shard, WorkerStates state)
    {
        await w.WaitAsync(Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        if (state.Outcomes[shard] is not null) return;
        // The others go on: their clients are not this worker's, and the schedule of each is its own.
        var how = state.Killed[shard] ?? w.ExitDescription ?? "unknown";
        var last = state.LastIndex[shard];
        state.Log?.Invoke(
            $"[worker {shard}] lost: {(state.Killed[shard] is null ? $"exited ({how})" : how)} without its final report; its clients " +
            $"stop here, its figures up to interval {last} are kept, the other workers go on");
        lock (state.Gate)
        {
            state.Aggregator.MarkLost(shard, how, last);
            state.Aggregator.Add(new IntervalReport { Shard = shard, Index = last + 1, Final = true, Histograms = [],
                EncodedHistograms = new() });
        }
    }

    /// <summary>A worker's last stdout line names how its share ended.</summary>
    public const string WorkerOutcomePrefix = "@connburst-outcome ";

    /// <summary>A worker's stdout line naming the error that failed its share (before its outcome line).</summary>
    public const string WorkerErrorPrefix = "@connburst-error ";
}
