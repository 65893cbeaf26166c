using System.CommandLine;
using ConnBurst.Cli.Progress;
using ConnBurst.Cli.Prometheus;
using ConnBurst.Common;
using ConnBurst.Export;
using ConnBurst.Load;
using ConnBurst.Recording;
using ConnBurst.Reporting.Tables;
using ConnBurst.Tls;
using ConnBurst.Results;

namespace ConnBurst.Cli.Commands;

/// <summary><c>connburst burst</c>: the MQTT v5 mutual-TLS connection-burst load generator.</summary>
internal static class BurstCommand
{
    /// <summary>Burst's Prometheus option: kube agents reads it from the options it passes through to size the pods' ports.</summary>
    internal const string PrometheusOption = "--prometheus";

    public static Command Create() => Create(BurstOptionsBinder.ForBurst());

    /// <summary>The command on <paramref name="binder"/>: kube agents parses the options it passes through with it.</summary>
    internal static Command Create(BurstOptionsBinder binder)
    {
        var prometheus = new Option<string?>(PrometheusOption) { Description =
            "Serve live interval metrics at http://HOST:PORT/metrics for Prometheus (e.g. 127.0.0.1:9465)" };
        var printResults = new Option<bool>("--print-results") { Description =
            "Also print the results JSON as one stdout line starting '@connburst-results ' (how agents' results come back through " +
            "kubectl logs; merge reads such logs)" };
        var worker = new Option<bool>("--worker") { Description = "internal: run as a worker process, told its part on stdin",
            Hidden = true };

        var cmd = new Command("burst",
            "MQTT v5 mutual-TLS connection bursts: open-loop paced connects timed by phase (tcp, tls, connack, total) into HdrHistograms.")
        {
            prometheus, printResults, worker,
        };
        binder.AddTo(cmd);
        CommandAction.Set(cmd, async (p, ct) =>
        {
            // Before any socket exists; worker processes inherit it. The generator too pays a thread-pool hand-off per
            // handshake step otherwise: 13% more CPU per connect, medians of 3 alternating rounds (docs/DECISIONS.md).
            Transport.InlineSocketCompletions.EnableUnlessSet();
            if (p.GetValue(worker)) return await RunWorker(ct);
            var options = binder.Read(p);

            var view = new BurstProgressView(options.TlsOnly);
            using var plan = BurstPlan.Prepare(options, view.Note);
            using var prom = PrometheusEndpoint.StartIfGiven(p.GetValue(prometheus));
            IProgress<IntervalProgress> progress = prom is null ? view : new BurstMetrics(prom, view);
            if (prom is not null) Console.WriteLine($"prometheus metrics at {prom.Url}");
            var doc = await view.RunAsync(() => Runs.BurstRun.RunAsync(plan, progress, ct, view.Note));
            PrintSummary(doc);
            var path = doc.Section("files")?["results"]?.GetValue<string>() ?? "";
            if (p.GetValue(printResults)) Console.WriteLine(ResultsLog.Line(doc));
            Console.WriteLine(path);
            return doc.Outcome is BurstOutcomes.Completed or BurstOutcomes.Interrupted ? ExitCodes.Ok : ExitCodes.RunFailed;
        });
        return cmd;
    }

    private static async Task<int> RunWorker(CancellationToken ct)
    {
        var assignment = WorkerAssignment.Parse(Console.In.ReadLine());
        var outcome = await BurstRunner.RunWorkerAsync(assignment, Console.Out, ct, line => Console.Error.WriteLine(line));
        Console.Out.WriteLine(WorkerPool.WorkerOutcomePrefix + outcome);
        Console.Out.Flush();
        return ExitCodes.Ok;
    }

    private static void PrintSummary(ResultsDocument doc)
    {
        var c = doc.Counts;
        Console.WriteLine($"outcome {doc.Outcome}: attempted {c.Attempted}, connacks {c.Connacks}, connected at end {c.Connected}" +
                          (c.Failed.Count > 0 ? ", failed " + string.Join(", ", c.Failed.Select(kv => $"{kv.Key}={kv.Value}"))
                          : ", 0 failed"));
        // The JSON keeps its field names for the tools that read it; a person reading this line is told what they mean here.
        if (doc.Config["tlsOnly"]?.GetValue<bool>() == true) Console.WriteLine("  TLS only: connacks count completed handshakes");
        if (c.Other.GetValueOrDefault("tlsUnconfirmed") is > 0 and var unconfirmed)
        {
            Console.WriteLine($"  unconfirmed {unconfirmed}: TLS 1.3 handshakes the server sent nothing after within --connect-timeout" +
                $" (no" +
                $" ticket, " +
                              "data or alert), so whether it accepted the client certificate is unknown; not counted as connacks");
        }
        if (doc.Latency.Count > 0) Console.Write(TextTable.Render(LatencyTable.Of(doc.Latency), "  "));
        if (doc.Section("generator") is { } g)
        {
            Console.WriteLine(
                $"  generator: cpu {g["cpuSeconds"]} s ({g["cpuMsPerAttempt"]} ms/attempt), rss {(long)g["rssBytes"]! / 1048576} MiB, " +
                              $"scheduler lag p99 {g["schedulerLagMs"]?["p99"]} ms max {g["schedulerLagMs"]?["max"]} " +
                              $"ms{((bool)g["fellBehind"]! ? ", FELL BEHIND schedule" : "")}");
        }
    }
}
