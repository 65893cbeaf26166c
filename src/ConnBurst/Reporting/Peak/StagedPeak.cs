using System.Text.Json.Nodes;
using ConnBurst.Common;
using ConnBurst.Recording;
using ConnBurst.Reporting.Sections;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Peak;

/// <summary>
/// The peak of a staged run (<c>peak --from</c>): each stage of one agent's run, or of a merge of many, judged against the
/// SLO with the bisecting search's own rule (<see cref="PeakSearch.Classify"/>), and the peak the highest passing stage
/// before the first failing one (docs/DECISIONS.md, "Load: staged arrival rates"). A stage is generator-limited when the
/// agents' scheduler lag p99 or the busiest agent's CPU share says the generator, not the server, could not keep up.
/// </summary>
internal static class StagedPeak
{
    /// <param name="maxGeneratorLagMs">Scheduler lag p99 at which a stage is generator-limited.</param>
    /// <param name="maxGeneratorCpuShare">The busiest agent's CPU, a share of its cores, at which it is (0-1).</param>
    public static PeakSection Judge(ResultsDocument run, string source, PeakSearchOptions slo, double maxGeneratorLagMs,
        double maxGeneratorCpuShare = 0.9)
    {
        if (run.Section(StageResults.Section) is not JsonArray stages || stages.Count == 0)
            throw new InputException($"peak --from: {source} is not a staged run (make one with burst --stages)");
        var section = new PeakSection
        {
            Method = "staircase",
            Slo = new PeakSlo { MaxAvgLatencyMs = slo.MaxAvgLatencyMs, MaxCpuBusy = slo.MaxCpuBusy, Precision = slo.Precision },
        };
        // A run that was stopped (Ctrl-C, a staircase's own early stop) offered less in the stage it stopped in by choice:
        // that stage is judged on what it did, not as generator-limited.
        var share = run.Outcome == "completed" ? PlanShare(run) : 0;
        foreach (var stage in stages.OfType<JsonObject>())
            section.Steps.Add(Step(stage, slo, maxGeneratorLagMs, maxGeneratorCpuShare, share));
        Conclude(section, slo, run.Outcome);
        return section;
    }

    /// <summary>One stage as a step of the peak section, with its verdict.</summary>
    /// <summary>The share of the plan's attempts these results hold: 1 for a whole run or a complete merge, 1/N for one agent.</summary>
    private static double PlanShare(ResultsDocument run)
    {
        var shard = run.Config["shard"] as JsonObject;
        var count = StageResults.Number(shard?["count"]) ?? 1;
        var merged = StageResults.Number(shard?["merged"]);
        return (merged ?? 1) / Math.Max(1, count);
    }

    /// <summary>A stage that offered fewer than this share of its planned attempts did not run as planned.</summary>
    private const double OfferedShare = 0.9;

    private static PeakStepRecord Step(JsonObject stage, PeakSearchOptions slo, double maxLagMs, double maxCpuShare, double planShare)
    {
        double? N(JsonNode? n) => StageResults.Number(n);
        var total = stage["latency"]?["total"];
        var count = N(total?["count"]) ?? 0;
        var lagP99 = N(stage["schedulerLagMs"]?["p99"]) ?? 0;
        var share = N(stage["generatorCpuShare"]);
        string? note = null;
        var planned = (N(stage["targetRate"]) ?? 0) * ((N(stage["endSeconds"]) ?? 0) - (N(stage["startSeconds"]) ?? 0)) * planShare;
        var attempted = N(stage["counts"]?["attempted"]) ?? 0;
        if (planned > 0 && attempted < OfferedShare * planned)
        {
            // Open loop releases late attempts too: fewer means the run ended inside the stage or ran out of ready clients.
            note = $"offered {attempted:0} of its {planned:0} planned attempts (the run ended in it, or clients ran short)";
        }
        else if (lagP99 >= maxLagMs)
        {
            note = $"generator scheduler lag p99 {PeakSearch.F(lagP99)} ms >= {PeakSearch.F(maxLagMs)} ms";
        }
        else if (share is { } s && s >= maxCpuShare)
        {
            note = $"the busiest agent used {PeakSearch.F(100 * s)}% of its cores";
        }
        var record = new PeakStepRecord
        {
            Stage = (int)(N(stage["number"]) ?? 0),
            Plan = stage["plan"]?.GetValue<string>(),
            Rate = N(stage["targetRate"]) ?? 0,
            AchievedRate = N(stage["achievedRate"]),
            AvgLatencyMs = count > 0 ? N(total?["avg"]) ?? 0 : double.PositiveInfinity,
            P99LatencyMs = count > 0 ? N(total?["p99"]) : null,
            MaxCoreBusy = N(stage["server"]?["maxCoreBusy"]),
            Attempted = (long)(N(stage["counts"]?["attempted"]) ?? 0),
            Connected = (long)(N(stage["counts"]?["connacks"]) ?? 0),
            Failed = (long)(N(stage["counts"]?["failedTotal"]) ?? 0),
            GeneratorLimited = note is not null,
            Note = note ?? (stage["server"] is null ? "no server samples for this stage: CPU not judged" : null),
        };
        record.Outcome = PeakSearch.Classify(record, slo);
        return record;
    }

    /// <summary>The peak: the highest passing stage before the first failing one, and the verdict in one sentence.</summary>
    internal static void Conclude(PeakSection s, PeakSearchOptions slo, string runOutcome)
    {
        var firstFail = s.Steps.FindIndex(x => !PeakSearch.Passed(x));
        var before = firstFail < 0 ? s.Steps : s.Steps.Take(firstFail).ToList();
        s.Rate = before.Where(PeakSearch.Passed).Select(x => x.Rate).DefaultIfEmpty(0).Max();
        var failing = firstFail < 0 ? null : s.Steps[firstFail];
        s.FailedRate = failing?.Rate;
        s.LimitedBy = failing is null ? "none" : failing.GeneratorLimited ? "generator" : "server";
        var sloText = $"avg connect latency < {PeakSearch.F(slo.MaxAvgLatencyMs)} ms, every server core <= " +
                      $"{PeakSearch.F(slo.MaxCpuBusy)}% busy";
        var prefix = runOutcome is "completed" ? "" : $"the run was {runOutcome}: ";
        var peakStage = before.Where(PeakSearch.Passed).OrderBy(x => x.Rate).LastOrDefault();
        s.Verdict = prefix + (failing, peakStage) switch
        {
            (null, null) => "no stage ran",
            (null, { } p) => $"peak >= {PeakSearch.F(s.Rate)} conn/s (stage {p.Stage}): every stage met the SLO ({sloText})",
            ({ } f, null) => $"no peak: the first stage (stage {f.Stage}, {PeakSearch.F(f.Rate)} conn/s) failed: {PeakSearch.Why(f, slo)}",
            ({ } f, { } p) when f.GeneratorLimited =>
                $"peak >= {PeakSearch.F(s.Rate)} conn/s (stage {p.Stage}) with {sloText}; stage {f.Stage} " +
                $"({PeakSearch.F(f.Rate)} conn/s) was " +
                $"generator-limited ({f.Note}), so the server's limit was not reached",
            ({ } f, { } p) => $"peak {PeakSearch.F(s.Rate)} conn/s (stage {p.Stage}) with {sloText}; stage {f.Stage} " +
                               $"({PeakSearch.F(f.Rate)} conn/s) failed: {PeakSearch.Why(f, slo)}",
        };
    }
}
