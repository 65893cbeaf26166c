using System.Text.Json.Nodes;
using ConnBurst.Common;
using ConnBurst.Load;
using ConnBurst.Monitor;
using ConnBurst.Reporting;
using ConnBurst.Reporting.Renderers;
using ConnBurst.Reporting.Sections;
using ConnBurst.Tls;
using ConnBurst.Results;

using ConnBurst.Reporting.Peak;

namespace ConnBurst.Runs;

/// <summary>
/// A whole <c>connburst peak</c>: connect the monitor, search with <see cref="PeakSearch"/> over real bursts, and
/// write the results (kind "peak") whose figures are every step's, plus the peak step's latency and server summary,
/// then its report. Shared by the peak command and the demo. Whatever ends the search (Ctrl-C included), the steps
/// so far are written.
/// </summary>
internal static class PeakRun
{
    public sealed record Settings(BurstOptions Burst, PeakSearchOptions Search, StepRunnerSettings Steps, HostPort? Monitor,
        string ResultsDir, string? MonitorToken = null)
    {
        /// <summary>A peak document's config: the search's settings, whichever way it searched.</summary>
        public JsonObject Describe() => new()
        {
            ["target"] = Burst.Target.ToString(),
            ["monitor"] = Monitor?.ToString(),
            ["tls"] = Burst.Tls.Protocol.Name(),
            ["maxAvgLatencyMs"] = Search.MaxAvgLatencyMs,
            ["maxCpuBusy"] = Search.MaxCpuBusy,
            ["precision"] = Search.Precision,
            ["startRate"] = Search.StartRate,
            ["maxRate"] = Search.MaxRate,
            ["stepDuration"] = Durations.Format(Steps.StepDuration),
            ["maxGeneratorLagMs"] = Steps.MaxGeneratorLagMs,
            ["stepsDir"] = Steps.StepsDir,
        };
    }

    /// <summary>The search's results and its report (text, PNG, HTML) beside them, or at <c>htmlPath</c>.</summary>
    public sealed record Reported(ResultsDocument Doc, string Path, string HtmlPath, IReadOnlyList<RenderOutcome> Outcomes);

    /// <summary>
    /// Runs the search, then writes its report: <c>&lt;results&gt;-report.html</c> unless <paramref name="htmlPath"/> is
    /// given. <paramref name="view"/> hears the plan, each step as it finishes, the search's lines and the report.
    /// </summary>
    public static async Task<Reported> RunAndReportAsync(Settings s, string? htmlPath, IPeakView view, CancellationToken ct)
    {
        view.Planned(s);
        var (doc, path) = await RunAsync(s, view.Step, view.Log, ct);
        var html = Path.GetFullPath(htmlPath ?? Path.ChangeExtension(path, null) + "-report.html");
        var set = ReportSet.Of(RunReportBuilder.Build([(doc, path)]));
        var outcomes = CompositeRenderer.Default().Write(set,
            new ReportOutput(Path.GetDirectoryName(html)!, Path.GetFileNameWithoutExtension(html), html));
        var reported = new Reported(doc, path, html, outcomes);
        view.Reported(reported);
        return reported;
    }

    public static async Task<(ResultsDocument Doc, string Path)> RunAsync(Settings s, Action<PeakStepRecord>? onStep, Action<string>? log,
        CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        MonitorClient? monitor = null;
        if (s.Monitor is { } m) monitor = await MonitorClient.ConnectAsync(m, s.MonitorToken, ct);
        else log?.Invoke("warning: no --monitor: server CPU is not judged, only latency and errors");
        try
        {
            var runner = new BurstStepRunner(s.Burst, monitor, s.Steps.Validate(), log);
            await runner.WarmUpAsync(ct);
            var search = new PeakSearch(s.Search, runner) { OnStep = onStep };
            PeakSection peak;
            var outcome = "completed";
            try
            {
                peak = await search.RunAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                outcome = "interrupted";
                peak = search.Partial();
            }
            var doc = Build(s, peak, runner, started, outcome);
            return (doc, ResultsFile.Write(doc, s.ResultsDir));
        }
        finally
        {
            if (monitor is not null) await monitor.DisposeAsync();
        }
    }

    private static ResultsDocument Build(Settings s, PeakSection peak, BurstStepRunner runner, DateTimeOffset started, string outcome)
    {
        var doc = ResultsDocument.Start("peak", started, s.Describe());
        doc.Outcome = outcome;
        foreach (var (step, _) in runner.Steps)
        {
            doc.Counts.Attempted += step.Counts.Attempted;
            doc.Counts.Connected += step.Counts.Connected;
            doc.Counts.Connacks += step.Counts.Connacks;
            foreach (var (reason, n) in step.Counts.Failed) doc.Counts.Failed[reason] = doc.Counts.Failed.GetValueOrDefault(reason) + n;
        }
        // The peak step's own figures, so the report shows the latency distribution and server load at the peak.
        var atPeak = runner.Steps.LastOrDefault(x => Math.Abs((x.Doc.Config["rate"]?.GetValue<double>() ?? -1) - peak.Rate) < 1e-6);
        if (atPeak.Doc is { } p)
        {
            foreach (var (phase, summary) in p.Latency) doc.Latency[phase] = summary;
            doc.Intervals = p.Intervals;
            if (atPeak.Server is { } server) doc.Sections["server"] = server.ToJsonNode();
        }
        doc.SetSection(ResultsSections.Peak, peak);
        // Where the limit first showed: the first failing step's own results and monitor summary, analysed as any run is.
        var firstFailing = peak.Steps.FirstOrDefault(x => x.Outcome.StartsWith("fail", StringComparison.Ordinal));
        var failedStep = firstFailing is null ? null
            : runner.Steps.FirstOrDefault(x => Math.Abs((x.Doc.Config["rate"]?.GetValue<double>() ?? -1) - firstFailing.Rate) < 1e-6).Doc;
        if (failedStep is not null)
        {
            var analysis = Reporting.Analysis.BottleneckAnalyzer.Analyze(failedStep, ServerFigures.Of(failedStep));
            doc.SetSection(StepAnalysisSection.Name, StepAnalysisSection.Of(firstFailing!, analysis));
        }
        return doc;
    }
}
