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
    /// <summary>The run's TLS version: config "tls" is an object with "version" (burst) or the version itself.</summary>
    public string? TlsVersion =>
        (Run.Config["tls"] is System.Text.Json.Nodes.JsonObject tls ? tls["version"] : Run.Config["tls"])?.ToString();
    public long Connects => Math.Max(Run.Counts.Connacks, Run.Counts.Connected);
    public double Seconds => Math.Max(0, (Run.EndedAt - Run.StartedAt).TotalSeconds);

    /// <summary>The server's CPU per connect (ms): its process's CPU over the recording over the run's connects.</summary>
    public double? ServerCpuMsPerConnect =>
        Server?.ProcessCpuSeconds is { } s && s > 0 && Connects > 0 ? 1000 * s / Connects : null;

    /// <summary>The busiest thread at its process's busiest interval, % of one core: its share of the process's CPU times the
    /// process's peak (the monitor keeps per-thread totals, not per-thread intervals).</summary>
    public double? BusiestThreadPeak =>
        Server is { Threads.Count: > 0, ProcessCpuMax: { } max } s ? s.Threads.Max(t => t.Share) * max : null;

    /// <summary>
    /// Why the server counts as CPU-bound, or null: its process at <see cref="ProposalThresholds.ServerCpuBound"/> of one core,
    /// or, on a machine it shares, the CPU saturated (the resource claim) while the server is the side behind (the side claim):
    /// then it could not get the CPU it needed.
    /// </summary>
    public string? ServerCpuBound()
    {
        if (Server?.ProcessCpuMax is not { } max) return null;
        if (max >= T.ServerCpuBound)
        {
            return $"server process {Server.ProcessName} at {Verdicts.F(max)}% of one core at its busiest (>=" +
                $" {Verdicts.F(T.ServerCpuBound)}%)";
        }
        return Claims.Side.Conclusion == "server" && Claims.Resource.Conclusion is "cpu-machine" or "cpu-core"
            ? $"server process {Server.ProcessName} at {Verdicts.F(max)}% of one core at its busiest, on a machine whose CPU was " +
                $"saturated ({Claims.Resource.Conclusion}) while the server was the side behind"
            : null;
    }

    /// <summary>The cores the machine left idle on average over the recording.</summary>
    public double? IdleCores => Server is { PerCoreAvg.Length: > 0 } s ? s.PerCoreAvg.Sum(b => Math.Max(0, 100 - b)) / 100 : null;

    /// <summary>
    /// The generator's schedule as it went: the seconds of the intervals in which it made attempts, and its attempts per second
    /// over those intervals but the last (a schedule rarely ends on an interval's edge, so the last one is partial); null rate
    /// when the schedule spanned fewer than two intervals.
    /// </summary>
    public (double Seconds, double? AttemptsPerSec) Schedule()
    {
        var spans = new List<(double Length, double Attempts)>();
        var previous = 0.0;
        foreach (var iv in Run.Intervals)
        {
            if (iv.Values.TryGetValue("attempted", out var n) && n > 0) spans.Add((iv.Seconds - previous, n));
            previous = iv.Seconds;
        }
        var full = spans.Count >= 2 ? spans.Take(spans.Count - 1).ToList() : [];
        var fullSeconds = full.Sum(x => x.Length);
        return (spans.Sum(x => x.Length), fullSeconds > 0 ? full.Sum(x => x.Attempts) / fullSeconds : null);
    }

    /// <summary>The share of the busiest profiled thread's samples in files whose name contains <paramref name="module"/>.</summary>
    public double? ProfiledModuleShare(string module) => Server is { ProfileThreads.Count: > 0 } s
        ? s.ProfileThreads[0].Modules.Where(m => m.Module.Contains(module, StringComparison.OrdinalIgnoreCase)).Sum(m => m.Share)
        : null;

    /// <summary>The share of the busiest profiled thread's samples in functions whose name contains <paramref name="part"/>.</summary>
    public double? ProfiledFunctionShare(string part) => Server is { ProfileThreads.Count: > 0 } s
        ? s.ProfileThreads[0].Functions.Where(f => f.Symbol.Contains(part, StringComparison.OrdinalIgnoreCase)).Sum(f => f.Share)
        : null;

    /// <summary>A config number, whether it was read from a file or set in memory as an integer.</summary>
    private static double? Number(System.Text.Json.Nodes.JsonNode? n) =>
        n is System.Text.Json.Nodes.JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && double.TryParse(v.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture,
                out var d) ? d : null;
}
