using System.Diagnostics;
using System.Globalization;
using ConnBurst.Common;
using ConnBurst.Recording;
using ConnBurst.Tls;

namespace ConnBurst.Load;

/// <summary>
/// Runs a burst across worker processes of the same executable (<c>connburst burst --worker-shard i/n</c>), each with
/// its share of the clients and source IPs and at most ~18,000 sockets (the fd limit is 20,000). Workers stream
/// <see cref="IntervalReport"/> lines on stdout; this merges them live. Stopping closes the workers' stdin; a worker
/// that dies is folded out of the merge with everything it reported until then.
/// </summary>
public static class WorkerPool
{
    public static async Task<string> RunAsync(BurstPlan plan, DateTimeOffset startAt, BurstAggregator aggregator, CancellationToken ct, Action<string>? log)
    {
        var n = plan.Workers;
        var gate = new Lock();
        var outcomes = new string?[n];
        var processes = new Process[n];
        try
        {
            for (int i = 0; i < n; i++) processes[i] = Start(plan.Options, i, n, startAt);
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
        if (outcomes.Any(o => o is null)) return BurstOutcomes.Failed;
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
            else if (l.StartsWith(WorkerOutcomePrefix, StringComparison.Ordinal)) outcomes[shard] = l[WorkerOutcomePrefix.Length..].Trim();
            else if (l.Length > 0) log?.Invoke($"[worker {shard}] {l}");
        }
        await p.WaitForExitAsync().ConfigureAwait(false);
        await stderr.ConfigureAwait(false);
        if (outcomes[shard] is null)
        {
            log?.Invoke($"[worker {shard}] exited ({p.ExitCode}) without its final report; its figures up to interval {lastIndex} are kept");
            lock (gate) aggregator.Add(new IntervalReport { Shard = shard, Index = lastIndex + 1, Final = true, Histograms = [], EncodedHistograms = new() });
        }
    }

    /// <summary>A worker's last stdout line names how its share ended.</summary>
    public const string WorkerOutcomePrefix = "@connburst-outcome ";

    private static Process Start(BurstOptions o, int shard, int shards, DateTimeOffset startAt)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "connburst.dll");
        var host = Environment.ProcessPath is { } pp && Path.GetFileNameWithoutExtension(pp) == "dotnet" ? pp : "dotnet";
        var psi = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in WorkerArgs(o, shard, shards, startAt)) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        return Process.Start(psi) ?? throw new InvalidOperationException("cannot start a worker process");
    }

    /// <summary>The <c>burst</c> command line that makes a worker run shard <paramref name="shard"/> of this run.</summary>
    public static List<string> WorkerArgs(BurstOptions o, int shard, int shards, DateTimeOffset startAt)
    {
        var inv = CultureInfo.InvariantCulture;
        var a = new List<string>
        {
            "burst", "--worker-shard", $"{shard}/{shards}", "--start-at", startAt.ToUnixTimeMilliseconds().ToString(inv),
            "--target", o.Target.ToString(), "--clients", o.Clients.ToString(inv), "--rate", o.Rate.ToString("R", inv),
            "--reconnect-delay", Durations.Format(o.ReconnectDelay), "--keepalive", Durations.Format(o.KeepAlive),
            "--timeout", Durations.Format(o.ConnectTimeout), "--client-id-prefix", o.ClientIdPrefix,
            "--snapshot", Durations.Format(o.Snapshot), "--tls", o.Tls.Protocol.Name(),
            "--tls-engine", o.TlsEngine.Name(),
        };
        if (o.Linger is { } l) a.AddRange(["--linger", Durations.Format(l)]);
        if (o.Duration is { } d) a.AddRange(["--duration", Durations.Format(d)]);
        if (o.Tls.Ciphers.Count > 0) a.AddRange(["--ciphers", string.Join(',', o.Tls.Ciphers)]);
        if (o.Tls.AllowResume) a.Add("--resume");
        if (o.SourceIps is not null) a.AddRange(["--source-ips", o.SourceIps]);
        if (o.ClientListPath is not null) a.AddRange(["--client-list", Path.GetFullPath(o.ClientListPath)]);
        if (o.PkiDir is not null) a.AddRange(["--pki", Path.GetFullPath(o.PkiDir)]);
        if (o.CertPath is not null) a.AddRange(["--cert", Path.GetFullPath(o.CertPath), "--key", Path.GetFullPath(o.KeyPath!)]);
        if (o.CaPath is not null) a.AddRange(["--ca", Path.GetFullPath(o.CaPath)]);
        if (o.PerClientCerts) a.Add("--per-client-certs");
        if (o.ServerName is not null) a.AddRange(["--server-name", o.ServerName]);
        return a;
    }
}
