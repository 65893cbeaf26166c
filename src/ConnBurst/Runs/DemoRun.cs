using System.Globalization;
using ConnBurst.Common;
using ConnBurst.Load;
using ConnBurst.Pki;
using ConnBurst.Reporting;
using ConnBurst.Reporting.Peak;
using ConnBurst.Reporting.Renderers;
using ConnBurst.Results;
using ConnBurst.Tls;

namespace ConnBurst.Runs;

/// <summary>
/// <c>connburst demo</c> as a whole, on an embedded default: a fresh PKI with a 10,000-serial CRL, <c>serve mqtt</c>
/// checking it, the monitor watching the server (both child processes of this program), an unmeasured warm-up, a
/// burst with reconnect cycles, a short peak search, and one HTML report of the two. Every child is stopped at the
/// end, Ctrl-C and failures included.
/// </summary>
internal static class DemoRun
{
    public sealed record Settings(string Directory, int Clients, double Rate, TimeSpan Duration, int PeakSteps);

    /// <summary>The burst and its results file, the peak search's report, and the demo's HTML report of both.</summary>
    public sealed record Result(ResultsDocument Burst, string BurstPath, PeakRun.Reported Peak, string HtmlPath, string ResultsDir);

    public static async Task<Result> RunAsync(Settings s, IDemoView view, CancellationToken ct)
    {
        var results = Path.Combine(s.Directory, "results");
        Directory.CreateDirectory(results);
        await using var children = new ChildProcesses(s.Directory);
        try
        {
            return await RunAsync(s, results, children, view, ct);
        }
        finally
        {
            await children.StopAllAsync(TimeSpan.FromSeconds(10));
            view.Stopped(children.Pids);
        }
    }

    private static async Task<Result> RunAsync(Settings s, string results, ChildProcesses children, IDemoView view, CancellationToken ct)
    {
        var inv = CultureInfo.InvariantCulture;
        view.Say($"demo directory {s.Directory}");
        var pki = PkiGenerator.Generate(new PkiOptions { OutDir = Path.Combine(s.Directory, "pki"), Revoked = 10_000, Force = true });
        view.Say($"PKI ({pki.KeyType}): CA, server and client certs, CRL with {pki.RevokedCount:N0} revoked serials");

        var (serverPid, port) = await children.StartListeningAsync("serve-mqtt",
            ["serve", "mqtt", "--pki", pki.Directory, "--listen", "127.0.0.1:0", "--out", results, "--interval", "5s"],
                TimeSpan.FromSeconds(60), ct);
        view.Say($"serve mqtt (pid {serverPid}) on 127.0.0.1:{port}: mutual TLS 1.2, client certs checked against the CRL");
        var (monitorPid, monitorPort) = await children.StartListeningAsync("monitor",
            ["monitor", "--listen", "127.0.0.1:0", "--pid", serverPid.ToString(inv), "--port", port.ToString(inv), "--out", results,
                "--interval", "500ms"],
            TimeSpan.FromSeconds(60), ct);
        var monitor = new HostPort("127.0.0.1", monitorPort);
        view.Say($"monitor (pid {monitorPid}) on {monitor}, watching the server's CPU per core, threads and port {port}");

        var target = new HostPort("127.0.0.1", port);
        var tls12 = TlsOptions.Create("1.2", null, false);
        view.Say($"warm-up: {BurstWarmUp.Clients} connections at {BurstWarmUp.Rate.ToString(inv)}/s, not measured (JIT on both sides)");
        await BurstWarmUp.RunAsync(new BurstOptions { Target = target, PkiDir = pki.Directory, Tls = tls12 },
            Path.Combine(results, "warmup"), ct);
        view.Say(
            $"burst: {s.Clients} clients at {s.Rate.ToString(inv)}/s for {Durations.Format(s.Duration)}, each holding 3s then " +
            $"reconnecting...");
        var burst = await BurstRun.RunAsync(new BurstOptions
        {
            Target = target, PkiDir = pki.Directory, Clients = s.Clients, Rate = s.Rate, Linger = TimeSpan.FromSeconds(3),
                Duration = s.Duration,
            Monitor = monitor.ToString(), ResultsDir = results, Snapshot = TimeSpan.FromSeconds(1), Tls = tls12,
        }, null, ct, null);
        var burstPath = burst.Section("files")?["results"]?.GetValue<string>() ?? ResultsFile.Write(burst, results);
        view.Burst(burst);

        view.Say($"peak search: up to {s.PeakSteps} steps of 2s from 50/s (SLO: avg latency < 500 ms, every core <= 85% busy)...");
        var peak = await PeakRun.RunAndReportAsync(new PeakRun.Settings(
            new BurstOptions { Target = target, PkiDir = pki.Directory, ResultsDir = results, ConnectTimeout = TimeSpan.FromSeconds(5),
            Tls = tls12 },
            new PeakSearchOptions { StartRate = 50, MinRate = 5, MaxRate = 5_000, Precision = 0.10, MaxSteps = s.PeakSteps }.Validate(),
            new StepRunnerSettings { StepDuration = TimeSpan.FromSeconds(2), Pause = TimeSpan.FromMilliseconds(500),
                StepsDir = Path.Combine(results, "peak-steps") },
            monitor, results), null, view.Peak, ct);

        var html = Path.Combine(s.Directory, "demo-report.html");
        var set = ReportSet.Of(RunReportBuilder.Build([(burst, burstPath), (peak.Doc, peak.Path)]));
        foreach (var o in CompositeRenderer.Default().Write(set, new ReportOutput(s.Directory, "demo-report", html)))
            if (o.Error is not null) view.Say($"{o.Format} report FAILED: {o.Error}");
        return new Result(burst, burstPath, peak, html, results);
    }
}

/// <summary>What the demo tells whoever shows it, as it goes.</summary>
internal interface IDemoView
{
    /// <summary>A step of the demo starts or ends.</summary>
    void Say(string text);

    /// <summary>The burst is done (its figures for a one-line summary).</summary>
    void Burst(ResultsDocument burst);

    /// <summary>Where the peak search's own progress goes.</summary>
    IPeakView Peak { get; }

    /// <summary>The child processes were stopped (always, also after a failure or Ctrl-C).</summary>
    void Stopped(IReadOnlyList<int> pids);
}
