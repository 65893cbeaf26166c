using ConnBurst.Reporting.Sections;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Analysis;

/// <summary>
/// What the proposal rules read: a run's results, the monitor's figures for the same time (the whole recording or a window
/// of it), the claims already made, and the figures derived from them once. Costly or outside facts (the sign cost
/// measured on the spot, the server's key) are functions, so a rule that does not need them does not pay for them, and a
/// test can give its own.
/// </summary>
internal sealed class ProposalInputs
{
    public required ResultsDocument Run { get; init; }
    public ServerFigures? Server { get; init; }
    public GeneratorSection? Generator { get; init; }
    public required BottleneckAnalysis Claims { get; init; }
    public required ProposalThresholds T { get; init; }
    public Func<SignCost?> SignCost { get; init; } = Analysis.SignCost.OnThisMachine;
    public Func<string?> ServerKey { get; init; } = () => null;

    public string Target => Run.Config["target"]?.ToString() ?? "HOST:PORT";
    public double? OfferedRate => Number(Run.Config["rate"]);
    public long Connects => Math.Max(Run.Counts.Connacks, Run.Counts.Connected);
    public double Seconds => Math.Max(0, (Run.EndedAt - Run.StartedAt).TotalSeconds);

    /// <summary>The server's CPU per connect (ms): its process's CPU over the recording over the run's connects.</summary>
    public double? ServerCpuMsPerConnect =>
        Server?.ProcessCpuSeconds is { } s && s > 0 && Connects > 0 ? 1000 * s / Connects : null;

    /// <summary>The busiest thread at its process's busiest interval, % of one core: its share of the process's CPU times the
    /// process's peak (the monitor keeps per-thread totals, not per-thread intervals).</summary>
    public double? BusiestThreadPeak =>
        Server is { Threads.Count: > 0, ProcessCpuMax: { } max } s ? s.Threads.Max(t => t.Share) * max : null;

    /// <summary>The cores the machine left idle on average over the recording.</summary>
    public double? IdleCores => Server is { PerCoreAvg.Length: > 0 } s ? s.PerCoreAvg.Sum(b => Math.Max(0, 100 - b)) / 100 : null;

    /// <summary>The share of the busiest profiled thread's samples in files whose name contains <paramref name="module"/>.</summary>
    public double? ProfiledModuleShare(string module) => Server is { ProfileThreads.Count: > 0 } s
        ? s.ProfileThreads[0].Modules.Where(m => m.Module.Contains(module, StringComparison.OrdinalIgnoreCase)).Sum(m => m.Share)
        : null;

    /// <summary>The share of the busiest profiled thread's samples in functions whose name contains <paramref name="part"/>.</summary>
    public double? ProfiledFunctionShare(string part) => Server is { ProfileThreads.Count: > 0 } s
        ? s.ProfileThreads[0].Functions.Where(f => f.Symbol.Contains(part, StringComparison.OrdinalIgnoreCase)).Sum(f => f.Share)
        : null;

    private static double? Number(System.Text.Json.Nodes.JsonNode? n) =>
        n is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
}
