using System.Globalization;
using System.Text.Json.Nodes;
using ConnBurst.Common;
using ConnBurst.Load;
using ConnBurst.Stages;
using ConnBurst.Recording;
using ConnBurst.Reporting;
using ConnBurst.Reporting.Peak;
using ConnBurst.Reporting.Renderers;
using ConnBurst.Reporting.Sections;
using ConnBurst.Results;
using ConnBurst.Tls;

namespace ConnBurst.Runs;

/// <summary>
/// <c>connburst peak --staircase</c> on one agent: a coarse staircase (the start rate doubling, one stage per step
/// duration) as one staged burst, judged after it as <c>peak --from</c> judges a multi-agent run; then a fine staircase of
/// four stages between its last passing and first failing stage. Each staircase stops early once an interval's median
/// latency reaches the SLO's average (the stages above would only overload the server). Each attempt is a fresh client
/// held to the staircase's end, as a bisecting step's are to the step's: no reconnect churn the bisecting search lacks
/// (with clients lingering half a step and reconnecting, the server's and generator's extra close and reconnect work on
/// one 2-core machine failed the CPU line at half the bisecting search's peak: docs/BENCHMARKS.md, "Peak at scale").
/// docs/DECISIONS.md, "Load: staged arrival rates", compares it with the bisecting search.
/// </summary>
internal static class StaircasePeakRun
{
    /// <summary>Stages of the fine staircase, evenly between the coarse one's last pass and first fail.</summary>
    private const int FineStages = 4;

    public static async Task<PeakRun.Reported> RunAndReportAsync(PeakRun.Settings s, string? htmlPath, IPeakView view,
        CancellationToken ct)
    {
        view.Planned(s);
        var started = DateTimeOffset.UtcNow;
        var section = new PeakSection
        {
            Method = "staircase",
            Slo = new PeakSlo
            {
                MaxAvgLatencyMs = s.Search.MaxAvgLatencyMs, MaxCpuBusy = s.Search.MaxCpuBusy, Precision = s.Search.Precision,
            },
        };
        var runs = new List<ResultsDocument>();
        var outcome = "completed";
        try
        {
            await BurstWarmUp.RunAsync(s.Burst, Path.Combine(s.Steps.StepsDir, "warmup"), ct);
            var coarse = Coarse(s);
            var (coarseSteps, coarseRun) = await RunStaircaseAsync(s, coarse, view, log: view.Log, ct);
            runs.Add(coarseRun);
            section.Steps.AddRange(coarseSteps);
            var firstFail = coarseSteps.FindIndex(x => !PeakSearch.Passed(x));
            if (firstFail > 0 && !coarseSteps[firstFail].GeneratorLimited)
            {
                var (pass, fail) = (coarseSteps[firstFail - 1].Rate, coarseSteps[firstFail].Rate);
                if ((fail - pass) / pass > s.Search.Precision)
                {
                    var step = Durations.Format(s.Steps.StepDuration);
                    var fine = StagePlan.Parse(string.Join(',', Enumerable.Range(1, FineStages).Select(k =>
                        $"{Stage.Number(Math.Round(pass + (fail - pass) * k / (FineStages + 1), 1))}:{step}")));
                    var (fineSteps, fineRun) = await RunStaircaseAsync(s, fine, view, view.Log, ct);
                    runs.Add(fineRun);
                    section.Steps.AddRange(fineSteps);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            outcome = "interrupted";
        }
        Conclude(section, s.Search, outcome);
        var doc = Build(s, section, runs, started, outcome);
        var path = ResultsFile.Write(doc, s.ResultsDir);
        var html = Path.GetFullPath(htmlPath ?? Path.ChangeExtension(path, null) + "-report.html");
        var outcomes = CompositeRenderer.Default().Write(ReportSet.Of(RunReportBuilder.Build([(doc, path)])),
            new ReportOutput(Path.GetDirectoryName(html)!, Path.GetFileNameWithoutExtension(html), html));
        var reported = new PeakRun.Reported(doc, path, html, outcomes);
        view.Reported(reported);
        return reported;
    }

    /// <summary>The start rate doubling up to the ceiling, in at most half the search's steps.</summary>
    private static StagePlan Coarse(PeakRun.Settings s)
    {
        var rates = new List<double>();
        for (var r = s.Search.StartRate; r <= s.Search.MaxRate && rates.Count < Math.Max(2, s.Search.MaxSteps / 2); r *= 2) rates.Add(r);
        return StagePlan.Parse(string.Join(',', rates.Select(r => $"{Stage.Number(r)}:{Durations.Format(s.Steps.StepDuration)}")));
    }

    /// <summary>One staircase as one staged burst, judged; stopped early when an interval's median latency reaches the SLO.</summary>
    private static async Task<(List<PeakStepRecord> Steps, ResultsDocument Run)> RunStaircaseAsync(PeakRun.Settings s, StagePlan plan,
        IPeakView view, Action<string> log, CancellationToken ct)
    {
        log($"staircase: {plan}");
        var options = s.Burst with
        {
            Stages = plan,
            Clients = 0,
            Linger = null, // held to the staircase's end, as a bisecting step's fresh clients are held to the step's
            Duration = null,
            Monitor = s.Monitor?.ToString(),
            Graphite = null,
            ResultsDir = s.Steps.StepsDir,
            Snapshot = TimeSpan.FromSeconds(1),
        };
        using var overloaded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var progress = new Progress(p =>
        {
            if (p.TotalP50Ms >= s.Search.MaxAvgLatencyMs && !overloaded.IsCancellationRequested)
            {
                log($"staircase: median latency {p.TotalP50Ms.ToString("0", CultureInfo.InvariantCulture)} ms in stage {p.Stage}: " +
                    "stopping before the stages above");
                overloaded.Cancel();
            }
        });
        var run = await BurstRun.RunAsync(options, progress, overloaded.Token, log);
        ct.ThrowIfCancellationRequested();
        var judged = StagedPeak.Judge(run, "the staircase", s.Search, s.Steps.MaxGeneratorLagMs);
        // Stages the early stop left without attempts are not steps.
        var steps = judged.Steps.Where(x => x.Attempted > 0).ToList();
        foreach (var step in steps) view.Step(step);
        return (steps, run);
    }

    /// <summary>Both staircases' stages by rate: the peak is the highest passing rate below the lowest failing one.</summary>
    private static void Conclude(PeakSection section, PeakSearchOptions slo, string outcome)
    {
        var ordered = new PeakSection { Method = section.Method, Slo = section.Slo, Steps = section.Steps.OrderBy(x => x.Rate).ToList() };
        StagedPeak.Conclude(ordered, slo, outcome);
        section.Rate = ordered.Rate;
        section.FailedRate = ordered.FailedRate;
        section.LimitedBy = ordered.LimitedBy;
        section.Verdict = ordered.Verdict;
    }

    private static ResultsDocument Build(PeakRun.Settings s, PeakSection peak, List<ResultsDocument> runs, DateTimeOffset started,
        string outcome)
    {
        var config = s.Describe();
        config["method"] = "staircase";
        config["staircases"] = new JsonArray(runs.Select(r => (JsonNode?)r.Config["stages"]?.DeepClone()).ToArray());
        var doc = ResultsDocument.Start("peak", started, config);
        doc.Outcome = outcome;
        foreach (var run in runs)
        {
            doc.Counts.Attempted += run.Counts.Attempted;
            doc.Counts.Connacks += run.Counts.Connacks;
            foreach (var (reason, n) in run.Counts.Failed) doc.Counts.Failed[reason] = doc.Counts.Failed.GetValueOrDefault(reason) + n;
        }
        if (runs.LastOrDefault() is { } last)
        {
            doc.Intervals = last.Intervals;
            if (last.Section("server") is { } server) doc.Sections["server"] = server.DeepClone();
        }
        doc.SetSection(ResultsSections.Peak, peak);
        // Where the limit first showed: the first failing stage of the staircase that ran it.
        var failing = peak.Steps.FirstOrDefault(x => x.Outcome.StartsWith("fail", StringComparison.Ordinal));
        var failedRun = runs.FirstOrDefault(r => failing?.Stage is { } n && r.Config["stages"]?.GetValue<string>() is { } text
            && StagePlan.Parse(text) is var plan && plan.Count >= n && plan.Stages[n - 1].ToString() == failing.Plan);
        if (failedRun is not null && StageAnalysis.FirstFailing(new PeakSection { Steps = [failing!] }, failedRun, null) is { } analysis)
            doc.SetSection(StepAnalysisSection.Name, analysis);
        return doc;
    }

    private sealed class Progress(Action<IntervalProgress> report) : IProgress<IntervalProgress>
    {
        public void Report(IntervalProgress value) => report(value);
    }
}
