using ConnBurst.Common;
using ConnBurst.Load;
using ConnBurst.Monitor;
using ConnBurst.Reporting.Sections;
using ConnBurst.Results;

using ConnBurst.Reporting.Peak;

namespace ConnBurst.Runs;

/// <summary>
/// The real peak step: a burst at a fixed rate through the load generator's library API, with fresh connections
/// (rate x step-duration clients, each connecting once) that all close when the step ends, bracketed by the
/// monitor's START/STOP so its summary covers exactly this step.
/// </summary>
internal sealed class BurstStepRunner(BurstOptions template, MonitorClient? monitor, StepRunnerSettings settings,
    Action<string>? log = null) : IPeakStepRunner
{
    /// <summary>The results of every step, in order (each is also written into the steps directory).</summary>
    public List<(ResultsDocument Doc, MonitorSummary? Server)> Steps { get; } = new();

    /// <summary>Unmeasured connections before the first step (<see cref="BurstWarmUp"/>): step one measures the server, not its
    /// JIT.</summary>
    public Task WarmUpAsync(CancellationToken ct) => BurstWarmUp.RunAsync(template, Path.Combine(settings.StepsDir, "warmup"), ct);

    public async Task<PeakStepResult> RunStepAsync(double rate, CancellationToken ct)
    {
        var clients = (int)Math.Max(1, Math.Ceiling(rate * settings.StepDuration.TotalSeconds));
        var options = template with
        {
            Rate = rate,
            Clients = clients,
            Linger = null,
            Duration = null, // ends when every client's one attempt has settled; the connect timeout bounds it
            Monitor = null,  // the step brackets the monitor itself
            Graphite = null,
            ResultsDir = settings.StepsDir,
            Snapshot = TimeSpan.FromSeconds(1),
        };
        if (monitor is not null) await monitor.StartAsync($"peak step {rate:0.#}/s", ct);
        ResultsDocument doc;
        MonitorSummary? server = null;
        try
        {
            doc = await BurstRunner.RunAsync(options, null, ct, log);
        }
        finally
        {
            if (monitor is not null)
                server = await monitor.StopAsync(CancellationToken.None);
        }
        if (server is not null) doc.Sections["server"] = server.ToJsonNode();
        Steps.Add((doc, server));
        if (settings.Pause > TimeSpan.Zero) await Task.Delay(settings.Pause, ct); // let TIME_WAIT and the server's closes drain

        var total = doc.Latency.GetValueOrDefault("total") ?? new LatencySummary();
        var gen = doc.GeneratorSection();
        var lagP99 = gen?.SchedulerLagMs?.P99 ?? 0;
        var genCpu = Reporting.Analysis.BottleneckAnalyzer.GeneratorCpuPercent(doc, gen);
        var cores = Math.Max(1, doc.Machine.Cores);
        string? note = null;
        var limited = false;
        if (lagP99 >= settings.MaxGeneratorLagMs)
        {
            limited = true;
            note = $"generator scheduler lag p99 {lagP99:0.#} ms >= {settings.MaxGeneratorLagMs:0.#} ms";
        }
        else if (genCpu is { } cpu && cpu >= settings.MaxGeneratorCpuShare * 100 * cores)
        {
            limited = true;
            note = $"generator CPU {cpu:0}% of one core on {cores} cores";
        }
        var failed = doc.Counts.Failed.Values.Sum();
        return new PeakStepResult(
            AvgLatencyMs: total.Count > 0 ? total.Avg : double.PositiveInfinity,
            MaxCoreBusy: server?.Cpu.MaxCoreMaxBusy,
            Attempted: doc.Counts.Attempted,
            Connected: doc.Counts.Connacks,
            Failed: failed,
            GeneratorLimited: limited,
            P99LatencyMs: total.Count > 0 ? total.P99 : null,
            Note: note ?? (doc.Outcome != "completed" ? $"burst {doc.Outcome}" : null),
            MaxCoreSteal: server?.Cpu.MaxCoreMaxSteal);
    }
}

/// <summary>How each peak step runs, and when the generator counts as the limit.</summary>
internal sealed record StepRunnerSettings
{
    public TimeSpan StepDuration { get; init; } = TimeSpan.FromSeconds(4);
    /// <summary>Quiet time after each step before the next one starts.</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Scheduler lag p99 (ms) at which the generator, not the server, limits the step.</summary>
    public double MaxGeneratorLagMs { get; init; } = 100;
    /// <summary>Generator CPU, as a share of all cores, at which it counts as the limit.</summary>
    public double MaxGeneratorCpuShare { get; init; } = 0.9;
    public required string StepsDir { get; init; }

    public StepRunnerSettings Validate()
    {
        if (StepDuration < TimeSpan.FromMilliseconds(500)) throw new InputException("--step-duration must be at least 500ms");
        if (MaxGeneratorLagMs <= 0) throw new InputException("--max-generator-lag must be positive");
        return this;
    }
}
