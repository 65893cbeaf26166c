using ConnBurst.Load;
using ConnBurst.Recording;
using ConnBurst.Results;

namespace ConnBurst.Runs;

/// <summary>
/// A burst as a user runs it: the load (Load/BurstRunner) with what watches it from outside attached first, the
/// server's monitor (<c>--monitor</c>: START before the first attempt, STOP after the last) and Graphite. A monitor that
/// cannot be reached is bad input, said before any load is sent.
/// </summary>
internal static class BurstRun
{
    public static async Task<ResultsDocument> RunAsync(BurstPlan plan, IProgress<IntervalProgress>? progress = null,
        CancellationToken ct = default, Action<string>? log = null)
    {
        var o = plan.Options;
        await using var telemetry = await BurstTelemetry.StartAsync(o,
            $"burst {o.Target} {plan.Clients} clients {(o.Stages is { } stages ? $"in stages {stages}" : $"at {o.Rate}/s")}", log, ct)
            .ConfigureAwait(false);
        return await BurstRunner.RunAsync(plan, progress, ct, log, telemetry).ConfigureAwait(false);
    }

    public static async Task<ResultsDocument> RunAsync(BurstOptions options, IProgress<IntervalProgress>? progress = null,
        CancellationToken ct = default, Action<string>? log = null)
    {
        using var plan = BurstPlan.Prepare(options, log);
        return await RunAsync(plan, progress, ct, log).ConfigureAwait(false);
    }
}
