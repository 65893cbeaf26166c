using System.Text.Json.Nodes;
using ConnBurst.Recording;
using ConnBurst.Results;

namespace ConnBurst.Load;

/// <summary>
/// The library entry point of a burst run (the CLI's <c>burst</c>, and <c>peak</c>/<c>demo</c> on top of it):
/// prepare and validate at the edge, run in this process or across worker processes, merge every interval exactly,
/// and write the results JSON, the interval CSV and the .hlog into <see cref="BurstOptions.ResultsDir"/>. Whatever
/// ends the run (duration, Ctrl-C, the server gone, a crash) the results gathered so far are written.
/// </summary>
internal static class BurstRunner
{
    /// <summary>Runs a burst and returns its results; <c>Sections["files"]</c> names the files written.</summary>
    /// <param name="progress">Receives each closed snapshot interval, merged across workers.</param>
    /// <param name="log">Human-readable lines: effective configuration, warnings, worker messages.</param>
    public static async Task<ResultsDocument> RunAsync(BurstOptions options, IProgress<IntervalProgress>? progress = null,
        CancellationToken ct = default, Action<string>? log = null)
    {
        using var plan = BurstPlan.Prepare(options, log);
        return await RunAsync(plan, progress, ct, log).ConfigureAwait(false);
    }

    /// <param name="observer">What watches the run from outside (the server's monitor, Graphite; Runs/BurstRun attaches them).</param>
    public static async Task<ResultsDocument> RunAsync(BurstPlan plan, IProgress<IntervalProgress>? progress = null,
        CancellationToken ct = default, Action<string>? log = null, IBurstObserver? observer = null)
    {
        var o = plan.Options;
        var readyAt = DateTimeOffset.UtcNow;
        var startAt = o.StartAt ?? readyAt.AddMilliseconds(plan.Workers > 1 ? 1500 : 50); // workers need a moment to start
        if (o.StartAt is { } late && late < readyAt)
        {
            log?.Invoke(
                $"warning: the plan was ready {(readyAt - late).TotalMilliseconds:0} ms after --start-at; this agent's first attempts " +
                $"leave late (their latency counts the wait)");
        }
        var doc = ResultsDocument.Start("burst", startAt, o.Describe(plan));
        var agentStart = AgentStart.Watch(startAt, readyAt, ct);
        Directory.CreateDirectory(o.ResultsDir);
        var stem = Path.Combine(Path.GetFullPath(o.ResultsDir), $"burst-{ResultsFile.Timestamp(startAt)}");
        var cpuBefore = Environment.CpuUsage.TotalTime.TotalSeconds;
        var waitBefore = RunQueueWait.Seconds();
        var resultsPath = stem + ".json";
        doc.Sections["files"] = new JsonObject { ["results"] = resultsPath, ["intervals"] = stem + "-intervals.csv",
            ["hlog"] = stem + ".hlog", ["journal"] = stem + ResultsJournal.Suffix };
        // Written as the run goes: a killed run leaves its journal, which report, compare and merge read (outcome interrupted).
        doc.Outcome = "running"; // until the end sets how it ended
        using var journal = ResultsJournal.Start(stem + ResultsJournal.Suffix, doc);
        using var aggregator = new BurstAggregator(plan.Workers, plan.Clients, startAt, stem + "-intervals.csv", stem + ".hlog",
            o.BehindThresholdMs, journal) { Stages = o.Stages, StageShare = 1.0 / o.Shard.Count };
        using var storageStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        aggregator.StorageFailed += error =>
        {
            log?.Invoke($"results: {error}; stopping the run (everything written so far is intact, and its figures are kept in memory)");
            storageStop.Cancel();
        };
        var behindWarned = false;
        aggregator.IntervalClosed += p =>
        {
            progress?.Report(p);
            if (p.Behind && !behindWarned)
            {
                behindWarned = true;
                log?.Invoke(
                    $"warning: the generator is behind schedule (scheduler lag p99 {p.SchedulerLagP99Ms:0.0} ms, max " +
                    $"{p.SchedulerLagMaxMs:0.0} ms): " +
                            "attempts leave later than due, and latency from the due time includes that wait");
            }
        };
        if (observer is not null) aggregator.IntervalClosed += observer.OnInterval;
        log?.Invoke(
            $"burst: {plan.Clients} clients -> {o.Target} " +
            (o.Stages is { } stages ? $"in {stages.Count} stages ({stages}, {Common.Durations.Format(stages.Total)}), "
                : $"at {o.Rate.ToString(System.Globalization.CultureInfo.InvariantCulture)}/s, ") +
            $"{o.Tls.Describe()} ({Tls.TlsEngines.Name(o.TlsEngine)}){(o.TlsOnly ? " handshakes only, no MQTT" : "")}, " +
                    $"client cert {plan.CredentialDescription} ({plan.KeyType}-{plan.KeyBits}), " +
                    $"{plan.Workers} process(es){(plan.Sources is { } s ? $", source IPs {s}" : "")}" +
                    $"{(o.Linger is { } l ? $", linger {Common.Durations.Format(l)}" : "")}");

        if (o.TlsOnly && o.Tls.Protocol != Tls.TlsProtocol.Tls12)
        {
            // In TLS 1.3 the client's handshake ends with its own Finished, sent with its certificate: the server's verdict
            // on that certificate comes later (RFC 8446, 2. Protocol Overview). With no CONNACK to wait for, what the server
            // sends next is that verdict (docs/DECISIONS.md, "Load: TLS 1.3 handshakes confirmed by the server").
            log?.Invoke("note: --tls-only over TLS 1.3: a handshake counts once the server confirms it (a session ticket or data); " +
                        "an alert or close counts as a failure, and silence until --connect-timeout as unconfirmed (tlsUnconfirmed)");
        }
        var (fdLimit, ports, memAvailable) = BurstLimits.ReadMachine();
        var agentRate = o.Shard.RateOf(o.Schedule.MaxRate);
        foreach (var warning in BurstLimits.Check(o.Shard.ClientsOf(plan.Clients), agentRate, o.Linger, plan.Workers, fdLimit,
                     plan.Sources?.Count ?? 1, plan.Endpoints.Length, ports, memAvailable))
        {
            log?.Invoke("warning: " + warning);
        }

        string outcome = BurstOutcomes.Failed;
        var errors = new RunErrors();
        try
        {
            outcome = plan.Workers > 1
                ? await WorkerPool.RunAsync(plan, startAt, aggregator, storageStop.Token, log, errors).ConfigureAwait(false)
                : await RunInProcessAsync(plan, startAt, aggregator, storageStop.Token, log, errors).ConfigureAwait(false);
            if (aggregator.StorageError is not null) outcome = BurstOutcomes.Failed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The engine's own thread failed: what was gathered is written below, with the error named.
            errors.Add($"internal error: {e.GetType().Name}: {e.Message}");
            log?.Invoke(errors.Last!);
        }
        finally
        {
            if (errors.Any) doc.Sections["errors"] = errors.ToJson();
            doc.Outcome = outcome;
            doc.EndedAt = DateTimeOffset.UtcNow;
            doc.Sections["agent"] = agentStart.Describe(o.Shard);
            var parentCpu = plan.Workers > 1 ? Environment.CpuUsage.TotalTime.TotalSeconds - cpuBefore : 0;
            aggregator.Fill(doc, parentCpu);
            if (observer is not null) await observer.FinishAsync(doc).ConfigureAwait(false);
            if (doc.Section(StageResults.Section) is JsonArray stageList)
            {
                StageResults.AddServer(stageList, StageResults.SamplesOf(doc));
                doc.Sections[StageResults.Section] = stageList;
            }
            if (plan.Workers == 1 && doc.Sections["generator"] is JsonObject g)
            {
                // In-process: the process's CPU includes start-up (PKI load, JIT); report the run's own share too.
                g["cpuSecondsDuringRun"] = Math.Round(Environment.CpuUsage.TotalTime.TotalSeconds - cpuBefore, 3);
                if (RunQueueWait.Seconds() - waitBefore is { } wait) g["runQueueWaitSecondsDuringRun"] = Math.Round(Math.Max(0, wait), 3);
            }
            if (aggregator.StorageError is { } storage) doc.Sections["storageError"] = storage;
            (doc.Sections["files"] as JsonObject)?.Remove("journal"); // deleted once the results JSON is written
            try
            {
                ResultsFile.Write(doc, o.ResultsDir, Path.GetFileName(resultsPath));
                journal.Complete();
            }
            catch (IOException e)
            {
                throw new IOException($"results: cannot write {resultsPath}: {e.Message}" +
                                      (aggregator.StorageError is null
                                      ? $"; the journal {journal.Path} holds the run up to its last interval" : ""), e);
            }
        }
        return doc;
    }

    private static async Task<string> RunInProcessAsync(BurstPlan plan, DateTimeOffset startAt, BurstAggregator aggregator,
        CancellationToken ct, Action<string>? log, RunErrors errors)
    {
        var engine = new BurstEngine(plan, plan.Options.Shard, startAt, log);
        var gate = new Lock();
        var outcome = await engine.RunAsync(r => { lock (gate) aggregator.Add(r); }, ct).ConfigureAwait(false);
        if (engine.Error is { } error) errors.Add(error);
        return outcome;
    }

    /// <summary>
    /// Worker mode: this process runs worker <paramref name="assignment"/>.Worker's part of its agent's part and streams
    /// its interval reports as lines on <paramref name="output"/> for the parent to merge. Ends on the run's end,
    /// cancellation, or stdin closing.
    /// </summary>
    public static async Task<string> RunWorkerAsync(WorkerAssignment assignment, TextWriter output, CancellationToken ct,
        Action<string>? log = null)
    {
        var options = assignment.Options with { Workers = 1, ProbeTargets = false };
        using var plan = BurstPlan.Prepare(options, log);
        var engine = new BurstEngine(plan, options.Shard.Within(assignment.Worker), assignment.StartAt, log);
        var gate = new Lock();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The parent closes our stdin to stop us: the portable "stop" signal even when it cannot send SIGINT.
        Common.ParentProcess.CancelWhenStdinCloses(linked);
        var outcome = await engine.RunAsync(r =>
        {
            var line = r.ToLine();
            r.ReleaseHistograms();
            lock (gate) { output.WriteLine(line); output.Flush(); }
        }, linked.Token).ConfigureAwait(false);
        if (engine.Error is { } error) lock (gate) output.WriteLine(WorkerPool.WorkerErrorPrefix + error);
        return outcome;
    }
}
