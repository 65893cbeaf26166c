using System.Text.Json.Nodes;
using ConnBurst.Common;
using ConnBurst.Recording;
using ConnBurst.Reporting;
using ConnBurst.Reporting.Peak;
using ConnBurst.Reporting.Renderers;
using ConnBurst.Reporting.Sections;
using ConnBurst.Results;

namespace ConnBurst.Runs;

/// <summary>
/// <c>connburst peak --from RESULTS...</c>: the peak of staged runs, judged after the run. Several agents' results (and a
/// monitor's recording) are merged first, exactly (<see cref="BurstMerge"/>); each stage is judged (<see cref="StagedPeak"/>),
/// and the peak is written as a peak results document (kind "peak", method "staircase") with its report, as the
/// bisecting search's is.
/// </summary>
internal static class StagedPeakRun
{
    public sealed record Settings(IReadOnlyList<string> Inputs, PeakSearchOptions Slo, double MaxGeneratorLagMs, string ResultsDir,
        string? HtmlPath);

    public static PeakRun.Reported JudgeAndReport(Settings s)
    {
        var loaded = ResultsSources.Load(s.Inputs);
        var (run, source) = RunOf(loaded);
        var doc = Build(run, source, s);
        var monitor = loaded.Select(x => x.Doc).FirstOrDefault(d => d.Kind == "monitor");
        if (StageAnalysis.FirstFailing(doc.PeakSection()!, run, monitor) is { } analysis)
            doc.SetSection(StepAnalysisSection.Name, analysis);
        var path = ResultsFile.Write(doc, s.ResultsDir);
        var html = Path.GetFullPath(s.HtmlPath ?? Path.ChangeExtension(path, null) + "-report.html");
        var set = ReportSet.Of(RunReportBuilder.Build([(doc, path)]));
        var outcomes = CompositeRenderer.Default().Write(set,
            new ReportOutput(Path.GetDirectoryName(html)!, Path.GetFileNameWithoutExtension(html), html));
        return new PeakRun.Reported(doc, path, html, outcomes);
    }

    /// <summary>The one staged run the inputs make: a single burst as it is, or agents (and a monitor) merged.</summary>
    private static (ResultsDocument Run, string Source) RunOf(IReadOnlyList<(ResultsDocument Doc, string Source)> loaded)
    {
        var bursts = loaded.Where(x => x.Doc.Kind == "burst").ToList();
        if (bursts.Count == 0) throw new InputException("peak --from: no burst results among the inputs (give a staged burst's results)");
        if (loaded.Count == 1) return (bursts[0].Doc, bursts[0].Source);
        var merged = BurstMerge.Merge(loaded.Select(x => new BurstMerge.Input(x.Doc, x.Source)).ToList(), allowMissing: false);
        return (merged, $"{bursts.Count} agents' results merged");
    }

    private static ResultsDocument Build(ResultsDocument run, string source, Settings s)
    {
        var peak = StagedPeak.Judge(run, source, s.Slo, s.MaxGeneratorLagMs);
        var doc = ResultsDocument.Start("peak", run.StartedAt, new JsonObject
        {
            ["method"] = "staircase",
            ["from"] = new JsonArray(s.Inputs.Select(i => (JsonNode)Path.GetFullPath(i)).ToArray()),
            ["target"] = run.Config["target"]?.DeepClone(),
            ["stages"] = run.Config["stages"]?.DeepClone(),
            ["agents"] = run.Config["agents"]?.DeepClone() ?? 1,
            ["tls"] = run.Config["tls"]?["version"]?.DeepClone(),
            ["maxAvgLatencyMs"] = s.Slo.MaxAvgLatencyMs,
            ["maxCpuBusy"] = s.Slo.MaxCpuBusy,
            ["maxErrors"] = s.Slo.MaxErrorShare,
            ["maxGeneratorLagMs"] = s.MaxGeneratorLagMs,
        });
        doc.EndedAt = run.EndedAt;
        doc.Outcome = run.Outcome;
        doc.Machine = run.Machine;
        doc.Counts = run.Counts;
        // The peak stage's own latency, so the report shows the distribution at the peak; the whole run's intervals.
        var stages = (JsonArray)run.Section(StageResults.Section)!;
        var atPeak = peak.Steps.Where(PeakSearch.Passed).LastOrDefault(x => x.Rate == peak.Rate);
        if (atPeak?.Stage is { } n && stages[n - 1]?["latency"] is JsonObject latency)
        {
            foreach (var (phase, summary) in latency)
            {
                if (System.Text.Json.JsonSerializer.Deserialize<LatencySummary>(summary, ResultsFile.Json) is { } l) doc.Latency[phase] = l;
            }
        }
        doc.Intervals = run.Intervals;
        doc.Sections[StageResults.Section] = stages.DeepClone();
        if (run.Section("server") is { } server) doc.Sections["server"] = server.DeepClone();
        doc.SetSection(ResultsSections.Peak, peak);
        return doc;
    }
}
