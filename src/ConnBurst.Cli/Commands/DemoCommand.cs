using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ConnBurst.Cli.Demo;
using ConnBurst.Cli.Progress;
using ConnBurst.Common;
using ConnBurst.Load;
using ConnBurst.Pki;
using ConnBurst.Reporting;
using ConnBurst.Reporting.Peak;
using ConnBurst.Reporting.Renderers;
using ConnBurst.Reporting.Sections;
using ConnBurst.Reporting.Tables;
using ConnBurst.Tls;
using ConnBurst.Results;
using ConnBurst.Runs;

namespace ConnBurst.Cli.Commands;

/// <summary>
/// <c>connburst demo</c>: the whole job on one machine in about a minute, on an embedded default. A fresh PKI with a
/// 10,000-serial CRL, <c>serve mqtt</c> checking it, the monitor watching the server, a burst with reconnect cycles,
/// a short peak search, and one HTML report. Every process it starts is stopped at the end, Ctrl-C included.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var outDir = new Option<string?>("--out") { Description = "Directory for the PKI, results and report (default: a new temp directory)" };
        var clients = new Option<int>("--clients") { Description = "Clients in the burst", DefaultValueFactory = _ => 300 };
        var rate = new Option<double>("--rate") { Description = "Burst connection rate (conn/s)", DefaultValueFactory = _ => 100 };
        var duration = new Option<string>("--duration") { Description = "Burst length (clients linger 3s, then reconnect)", DefaultValueFactory = _ => "15s" };
        var peakSteps = new Option<int>("--peak-steps") { Description = "Most steps of the peak search", DefaultValueFactory = _ => 7 };
        var cmd = new Command("demo", "The whole job in about a minute: PKI with a 10K-revoked CRL, serve mqtt, monitor, a burst with reconnect cycles, a short peak search, an HTML report.")
        {
            outDir, clients, rate, duration, peakSteps,
        };
        CommandAction.Set(cmd, async (p, ct) =>
        {
            var burstDuration = Durations.Parse(p.GetValue(duration)!, "--duration");
            if (p.GetValue(clients) < 1) throw new InputException("--clients must be at least 1");
            var dir = Path.GetFullPath(p.GetValue(outDir) ?? Path.Combine(Path.GetTempPath(), $"connburst-demo-{ResultsFile.Timestamp(DateTimeOffset.UtcNow)}"));
            Directory.CreateDirectory(dir);
            var results = Path.Combine(dir, "results");
            Directory.CreateDirectory(results);
            var sw = Stopwatch.StartNew();
            await using var children = new ChildProcesses(dir);
            try
            {
                return await RunAsync(dir, results, children, p.GetValue(clients), p.GetValue(rate), burstDuration, p.GetValue(peakSteps), sw, ct);
            }
            finally
            {
                await children.StopAllAsync(TimeSpan.FromSeconds(10));
                Console.Error.WriteLine($"demo: stopped {children.Pids.Count} child process(es): pids {string.Join(", ", children.Pids)}");
            }
        });
        return cmd;
    }

    private static async Task<int> RunAsync(string dir, string results, ChildProcesses children, int clients, double rate, TimeSpan duration, int peakSteps, Stopwatch sw, CancellationToken ct)
    {
        var inv = CultureInfo.InvariantCulture;
        void Say(string text) => Console.WriteLine(string.Create(inv, $"[{sw.Elapsed.TotalSeconds,5:0.0}s] {text}"));

        Say($"demo directory {dir}");
        var pki = PkiGenerator.Generate(new PkiOptions { OutDir = Path.Combine(dir, "pki"), Revoked = 10_000, Force = true });
        Say($"PKI ({pki.KeyType}): CA, server and client certs, CRL with {pki.RevokedCount:N0} revoked serials");

        var (serverPid, port) = await children.StartListeningAsync("serve-mqtt",
            ["serve", "mqtt", "--pki", pki.Directory, "--port", "0", "--results", results, "--report-interval", "5s"], TimeSpan.FromSeconds(60), ct);
        Say($"serve mqtt (pid {serverPid}) on 127.0.0.1:{port}: mutual TLS 1.2, client certs checked against the CRL");
        var (monitorPid, monitorPort) = await children.StartListeningAsync("monitor",
            ["monitor", "--listen", "127.0.0.1:0", "--pid", serverPid.ToString(inv), "--port", port.ToString(inv), "--results", results, "--interval", "500ms"],
            TimeSpan.FromSeconds(60), ct);
        var monitor = new HostPort("127.0.0.1", monitorPort);
        Say($"monitor (pid {monitorPid}) on {monitor}, watching the server's CPU per core, threads and port {port}");

        var target = new HostPort("127.0.0.1", port);
        var tls12 = TlsOptions.Create("1.2", null, false);
        Say($"warm-up: {BurstWarmUp.Clients} connections at {BurstWarmUp.Rate.ToString(inv)}/s, not measured (JIT on both sides)");
        await BurstWarmUp.RunAsync(new BurstOptions { Target = target, PkiDir = pki.Directory, Tls = tls12 }, Path.Combine(results, "warmup"), ct);
        Say($"burst: {clients} clients at {rate.ToString(inv)}/s for {Durations.Format(duration)}, each holding 3s then reconnecting...");
        var burst = await Runs.BurstRun.RunAsync(new BurstOptions
        {
            Target = target, PkiDir = pki.Directory, Clients = clients, Rate = rate, Linger = TimeSpan.FromSeconds(3), Duration = duration,
            Monitor = monitor.ToString(), ResultsDir = results, Snapshot = TimeSpan.FromSeconds(1), Tls = tls12,
        }, null, ct, null);
        var burstPath = burst.Section("files")?["results"]?.GetValue<string>() ?? ResultsFile.Write(burst, results);
        var total = burst.Latency.GetValueOrDefault("total");
        Say(string.Create(inv, $"burst done: {burst.Counts.Attempted:N0} attempts, {burst.Counts.Connacks:N0} CONNACKs, {burst.Counts.Failed.Values.Sum():N0} failed; " +
                               $"connect latency avg {Ms(LatencyTable.Avg, total?.Avg)} ms, p99 {Ms(LatencyTable.P99, total?.P99)} ms"));

        Say($"peak search: up to {peakSteps} steps of 2s from 50/s (SLO: avg latency < 500 ms, every core <= 85% busy)...");
        var peak = await PeakConsole.RunAsync(new PeakRun.Settings(
            new BurstOptions { Target = target, PkiDir = pki.Directory, ResultsDir = results, ConnectTimeout = TimeSpan.FromSeconds(5), Tls = tls12 },
            new PeakSearchOptions { StartRate = 50, MinRate = 5, MaxRate = 5_000, Precision = 0.10, MaxSteps = peakSteps }.Validate(),
            new StepRunnerSettings { StepDuration = TimeSpan.FromSeconds(2), Pause = TimeSpan.FromMilliseconds(500), StepsDir = Path.Combine(results, "peak-steps") },
            monitor, results), null, new PrefixedWriter(Console.Out, "        "), ct);

        var html = Path.Combine(dir, "demo-report.html");
        var set = ReportSet.Of(RunReportBuilder.Build([(burst, burstPath), (peak.Doc, peak.Path)]));
        foreach (var o in CompositeRenderer.Default().Write(set, new ReportOutput(dir, "demo-report", html)))
            if (o.Error is not null) Say($"{o.Format} report FAILED: {o.Error}");

        var server = ServerFigures.Of(burst);
        var peakSection = peak.Doc.PeakSection();
        Console.WriteLine();
        Console.WriteLine($"connect latency (total): avg {Ms(LatencyTable.Avg, total?.Avg)} ms, p50 {Ms(LatencyTable.P50, total?.P50)}, " +
                          $"p90 {Ms(LatencyTable.P90, total?.P90)}, p99 {Ms(LatencyTable.P99, total?.P99)}, max {Ms(LatencyTable.Max, total?.Max)} ms");
        Console.WriteLine(string.Create(inv, $"server: busiest core {server?.MaxCoreBusy ?? 0:0.0}% (cpu{server?.BusiestCore ?? 0}), process CPU avg {server?.ProcessCpuAvg ?? 0:0}% of a core"));
        Console.WriteLine($"peak: {peakSection?.Verdict}");
        Console.WriteLine($"done in {sw.Elapsed.TotalSeconds:0} s; results in {results}");
        Console.WriteLine(html);
        return ExitCodes.Ok;
    }

    /// <summary>A figure of the latency table as the table prints it (0 when the run recorded none, as before).</summary>
    private static string Ms(Column column, double? value) => column.Text(value ?? 0);

    /// <summary>Indents the peak search's lines under the demo's own.</summary>
    private sealed class PrefixedWriter(TextWriter inner, string prefix) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;
        public override void WriteLine(string? value) => inner.WriteLine(prefix + value);
        public override void Write(char value) => inner.Write(value);
    }
}
