using System.Globalization;
using System.Text.Json.Nodes;
using ConnBurst.Recording;
using ConnBurst.Reporting.Analysis;
using ConnBurst.Reporting.Sections;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Peak;

/// <summary>
/// A staircase's first failing stage analysed as a run of its own (the "firstFailingStep" section a bisecting search's
/// peak carries): the stage's own counts and latency, the run's generator figures, and the server's side over the stage's
/// wall-clock window when a monitor result is at hand (else the whole recording's summary), through the one analyzer and
/// its proposals.
/// </summary>
internal static class StageAnalysis
{
    /// <param name="monitor">A monitor result (kind monitor) that covers the run, or null.</param>
    public static StepAnalysisSection? FirstFailing(PeakSection peak, ResultsDocument run, ResultsDocument? monitor)
    {
        var failing = peak.Steps.FirstOrDefault(x => x.Outcome.StartsWith("fail", StringComparison.Ordinal));
        if (failing?.Stage is not { } number || run.Section(StageResults.Section) is not JsonArray stages || number > stages.Count)
            return null;
        var stage = stages[number - 1]!.AsObject();
        var from = DateTimeOffset.Parse(stage["startAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse(stage["endAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var doc = new ResultsDocument
        {
            Kind = "burst", StartedAt = from, EndedAt = to, Outcome = run.Outcome, Config = run.Config, Machine = run.Machine,
        };
        doc.Counts.Attempted = failing.Attempted;
        doc.Counts.Connacks = failing.Connected;
        if (stage["counts"]?["failed"] is JsonObject failed)
            foreach (var (reason, n) in failed) doc.Counts.Failed[reason] = n!.GetValue<long>();
        if (stage["latency"] is JsonObject latency)
        {
            foreach (var (phase, summary) in latency)
            {
                if (System.Text.Json.JsonSerializer.Deserialize<LatencySummary>(summary, ResultsFile.Json) is { } l)
                    doc.Latency[phase] = l;
            }
        }
        if (run.Section(ResultsSections.Generator) is { } generator) doc.Sections[ResultsSections.Generator] = generator.DeepClone();
        if (run.Section("server") is { } server) doc.Sections["server"] = server.DeepClone();
        var figures = (monitor is null ? null : ServerFigures.Window(monitor, from, to)) ?? ServerFigures.Of(doc);
        return StepAnalysisSection.Of(failing, BottleneckAnalyzer.Analyze(doc, figures));
    }
}
