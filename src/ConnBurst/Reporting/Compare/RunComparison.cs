using ConnBurst.Common;
using ConnBurst.Reporting.Sections;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Compare;

/// <summary>
/// Runs of one kind side by side: every figure of every run against the first (the baseline), as delta and ratio.
/// Computed once here; the compare renderers only format it.
/// </summary>
internal sealed class RunComparison
{
    public required IReadOnlyList<RunReport> Runs { get; init; }
    public required string Kind { get; init; }
    /// <summary>Phases present in every run, in the results' order.</summary>
    public required IReadOnlyList<string> Phases { get; init; }
    public required IReadOnlyList<ComparisonRow> Rows { get; init; }
    /// <summary>Config settings whose value differs between runs: what the comparison is about.</summary>
    public required IReadOnlyList<(string Key, IReadOnlyList<string> Values)> Differences { get; init; }

    private static readonly (string Name, Func<LatencySummary, double> Get)[] Stats =
        [("avg", s => s.Avg), ("p50", s => s.P50), ("p90", s => s.P90), ("p99", s => s.P99), ("max", s => s.Max)];

    public static RunComparison Build(IReadOnlyList<RunReport> runs)
    {
        if (runs.Count < 2) throw new InputException("compare needs at least two results files");
        var kind = runs[0].Doc.Kind;
        if (runs.FirstOrDefault(r => r.Doc.Kind != kind) is { } other)
            throw new InputException($"compare needs runs of one kind: {runs[0].Label} is {kind}, {other.Label} is {other.Doc.Kind}");
        var phases = runs[0].Doc.Latency.Keys.Where(p => runs.All(r => r.Doc.Latency.ContainsKey(p))).ToList();
        var rows = new List<ComparisonRow>();
        foreach (var phase in phases)
        {
            foreach (var (name, get) in Stats)
                rows.Add(Row($"{phase} {name}", "ms", runs.Select(r => (double?)get(r.Doc.Latency[phase])), lowerIsBetter: true));
        }

        rows.Add(Row("attempted", "", runs.Select(r => (double?)r.Doc.Counts.Attempted), lowerIsBetter: null));
        rows.Add(Row("connected", "", runs.Select(r => (double?)r.Doc.Counts.Connected), lowerIsBetter: null));
        rows.Add(Row("failed", "", runs.Select(r => (double?)r.FailedTotal), lowerIsBetter: true));
        if (runs.Any(r => r.Server is not null))
        {
            rows.Add(Row("busiest server core", "%", runs.Select(r => r.Server?.MaxCoreBusy), lowerIsBetter: true));
            rows.Add(Row("server process CPU avg", "% of a core", runs.Select(r => r.Server?.ProcessCpuAvg), lowerIsBetter: true));
        }
        if (runs.Any(r => r.Generator?.CpuMsPerAttempt is not null))
            rows.Add(Row("generator CPU per attempt", "ms", runs.Select(r => r.Generator?.CpuMsPerAttempt), lowerIsBetter: true));
        if (runs.Any(r => r.Peak is not null))
            rows.Add(Row("peak rate", "conn/s", runs.Select(r => r.Peak?.Rate), lowerIsBetter: false));
        rows.AddRange(StageRows(runs));
        var keys = runs.SelectMany(r => r.Doc.Config.Select(kv => kv.Key)).Distinct(StringComparer.Ordinal);
        var diffs = keys.Select(k => (Key: k, Values: (IReadOnlyList<string>)runs.Select(r => r.Doc.ConfigText(k)).ToList()))
            .Where(d => d.Values.Distinct(StringComparer.Ordinal).Count() > 1).ToList();
        return new RunComparison { Runs = runs, Kind = kind, Phases = phases, Rows = rows, Differences = diffs };
    }

    /// <summary>
    /// Staircases side by side, stage by stage (the stages of the first run's plan that every run has): each stage's
    /// achieved rate, average and p99 latency and busiest server core, so two runs of one plan (TLS 1.2 against 1.3, two
    /// servers) show where one falls behind.
    /// </summary>
    private static IEnumerable<ComparisonRow> StageRows(IReadOnlyList<RunReport> runs)
    {
        if (runs.Any(r => r.Peak is not { Method: "staircase" })) yield break;
        var count = runs.Min(r => r.Peak!.Steps.Count);
        for (int i = 0; i < count; i++)
        {
            var steps = runs.Select(r => r.Peak!.Steps[i]).ToList();
            var name = $"stage {steps[0].Stage} ({steps[0].Plan})";
            yield return Row($"{name} achieved", "conn/s", steps.Select(s => s.AchievedRate), lowerIsBetter: false);
            yield return Row($"{name} avg", "ms", steps.Select(s => double.IsFinite(s.AvgLatencyMs) ? s.AvgLatencyMs : (double?)null),
                lowerIsBetter: true);
            yield return Row($"{name} p99", "ms", steps.Select(s => s.P99LatencyMs), lowerIsBetter: true);
            if (steps.Any(s => s.MaxCoreBusy is not null))
                yield return Row($"{name} busiest core", "%", steps.Select(s => s.MaxCoreBusy), lowerIsBetter: true);
        }
    }

    private static ComparisonRow Row(string name, string unit, IEnumerable<double?> values, bool? lowerIsBetter)
    {
        var v = values.ToList();
        var baseline = v[0];
        var cells = v.Select(x => new ComparisonCell(x,
            x is { } a && baseline is { } b ? a - b : null,
            x is { } a2 && baseline is { } b2 && b2 != 0 ? a2 / b2 : null)).ToList();
        return new ComparisonRow(name, unit, cells, lowerIsBetter);
    }
}

/// <summary>One figure across runs; cell 0 is the baseline.</summary>
internal sealed record ComparisonRow(string Name, string Unit, IReadOnlyList<ComparisonCell> Cells, bool? LowerIsBetter);

/// <summary>A run's value, and its delta and ratio against the baseline (null when either is missing or the baseline is 0).</summary>
internal sealed record ComparisonCell(double? Value, double? Delta, double? Ratio);
