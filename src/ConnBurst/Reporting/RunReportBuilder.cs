using ConnBurst.Reporting.Analysis;
using ConnBurst.Reporting.Recordings;
using ConnBurst.Reporting.Sections;
using ConnBurst.Results;

namespace ConnBurst.Reporting;

/// <summary>Builds <see cref="RunReport"/>s: joins monitor results to the runs they watched, then computes verdicts once.</summary>
internal static class RunReportBuilder
{
    /// <summary>
    /// One report per non-monitor run; a monitor-only result becomes the monitor of the load run it overlaps in time
    /// (or of the only load run), and stands as its own report when there is no load run.
    /// </summary>
    public static IReadOnlyList<RunReport> Build(IReadOnlyList<(ResultsDocument Doc, string? Path)> inputs, ReportSlo? slo = null)
    {
        slo ??= new ReportSlo();
        var monitors = inputs.Where(i => i.Doc.Kind == "monitor").ToList();
        var runs = inputs.Where(i => i.Doc.Kind != "monitor").ToList();
        if (runs.Count == 0) return monitors.Select(m => Build(m.Doc, m.Path, null, slo)).ToList();
        var reports = new List<RunReport>();
        foreach (var run in runs)
        {
            var joined = monitors.FirstOrDefault(m => Overlaps(m.Doc, run.Doc)).Doc
                ?? (runs.Count == 1 && monitors.Count == 1 ? monitors[0].Doc : null);
            reports.Add(Build(run.Doc, run.Path, joined is null ? null : ServerFigures.Of(joined), slo));
        }
        return reports;
    }

    public static RunReport Build(ResultsDocument doc, string? path = null, ServerFigures? joinedServer = null, ReportSlo? slo = null) =>
        Build(doc, path, joinedServer, slo, null);

    /// <summary>The report of a recording the monitor is writing: the results document, and the samples behind it.</summary>
    internal static RunReport Build(ResultsDocument doc, MonitorRecording recording) => Build(doc, null, null, null, recording);

    private static RunReport Build(ResultsDocument doc, string? path, ServerFigures? joinedServer, ReportSlo? slo,
        MonitorRecording? recording)
    {
        slo ??= new ReportSlo();
        var monitor = ServerFigures.Of(doc) ?? joinedServer;
        var generator = doc.GeneratorSection();
        // A staged burst shows its staircase judged against the report's SLO, as peak --from would (docs/DECISIONS.md,
        // "Load: staged arrival rates"): the stages table, the peak chart, and compare's peak-rate row.
        var peak = doc.PeakSection() ?? (doc.Kind == "burst" && doc.Section(Recording.StageResults.Section) is not null
            ? Peak.StagedPeak.Judge(doc, path ?? "the run", new Peak.PeakSearchOptions { MaxAvgLatencyMs = slo.MaxAvgLatencyMs,
                MaxCpuBusy = slo.MaxCpuBusy }, maxGeneratorLagMs: 100)
            : null);
        var phase = HeadlinePhaseOf(doc);
        var failedTotal = doc.Counts.Failed.Values.Sum();
        var errors = doc.Counts.Failed.OrderByDescending(kv => kv.Value)
            .Select(kv => new ErrorRow(kv.Key, kv.Value, doc.Counts.Attempted > 0 ? (double)kv.Value / doc.Counts.Attempted : 0)).ToList();
        var verdicts = Verdicts.Judge(doc, phase, monitor, peak, failedTotal, slo);
        var analysis = doc.Kind is "burst" or "chat" && (monitor is not null || generator is not null)
            ? BottleneckAnalyzer.Analyze(doc, monitor) : null;
        return new RunReport
        {
            Doc = doc,
            SourcePath = path,
            Label = path is null ? doc.Kind : Path.GetFileNameWithoutExtension(path),
            Server = monitor,
            Generator = generator,
            Peak = peak,
            HeadlinePhase = phase,
            Errors = errors,
            FailedTotal = failedTotal,
            Analysis = analysis,
            FirstFailingStep = doc.GetSection<StepAnalysisSection>(StepAnalysisSection.Name),
            Recording = recording,
            Verdicts = verdicts,
            Overall = Verdicts.Overall(verdicts, peak),
        };
    }

    public static string HeadlinePhaseOf(ResultsDocument doc)
    {
        foreach (var p in new[] { "total", "roundtrip", "connack", "tls", "tcp" })
            if (doc.Latency.ContainsKey(p)) return p;
        return doc.Latency.Keys.FirstOrDefault() ?? "total";
    }

    private static bool Overlaps(ResultsDocument a, ResultsDocument b) =>
        a.StartedAt != default && b.StartedAt != default && a.StartedAt <= b.EndedAt && b.StartedAt <= a.EndedAt;
}
