using System.CommandLine;
using ConnBurst.Common;
using ConnBurst.Monitor;
using ConnBurst.Reporting;
using ConnBurst.Reporting.Renderers;
using ConnBurst.Results;

namespace ConnBurst.Cli.Commands;

/// <summary><c>connburst report RESULTS... [--html FILE]</c>: text summary, PNG charts and one self-contained HTML page.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var results = new Argument<string[]>("RESULTS") { Description =
            "Results JSON files (burst, chat, monitor, peak); a monitor result is joined to the run it watched",
            Arity = ArgumentArity.OneOrMore };
        var html = new Option<string?>("--html") { Description =
            "The HTML report to write (default: beside the first results file, <name>-report.html)" };
        var outDir = new Option<string?>("--out") { Description =
            "Directory for the PNG charts and the text summary (default: the HTML file's directory)" };
        var slo = SloOptions.Create();
        var cmd = new Command("report",
            "Turn results JSON into a text summary, PNG charts and a self-contained HTML report with verdicts.") { results, html, outDir };
        slo.AddTo(cmd);
        CommandAction.Set(cmd, (p, _) =>
        {
            var inputs = ResultsInputs.Load(p.GetValue(results)!);
            var runs = RunReportBuilder.Build(inputs, slo.Read(p));
            var first = inputs[0].Path!;
            var htmlPath = Path.GetFullPath(p.GetValue(html)
                ?? Path.Combine(Path.GetDirectoryName(first)!, Path.GetFileNameWithoutExtension(first) + "-report.html"));
            var dir = Path.GetFullPath(p.GetValue(outDir) ?? Path.GetDirectoryName(htmlPath)!);
            var set = ReportSet.Of(runs);
            var outcomes = CompositeRenderer.Default()
                .Write(set, new ReportOutput(dir, Path.GetFileNameWithoutExtension(htmlPath), htmlPath));
            Console.Write(TextRenderer.Render(set));
            foreach (var o in outcomes)
                Console.WriteLine(o.Error is null ? $"{o.Format}: {o.Files.Count} file(s) in {dir}" : $"{o.Format}: FAILED: {o.Error}");
            var htmlOk = outcomes.Any(o => o.Format == "html" && o.Error is null);
            if (htmlOk) Console.WriteLine(htmlPath);
            return outcomes.All(o => o.Error is null) ? ExitCodes.Ok : ExitCodes.RunFailed;
        });
        return cmd;
    }
}

/// <summary>
/// Reads the results named on a command line (files, directories, logs, journals of killed runs) with one-line
/// errors for missing or malformed ones; a killed run's latency is completed from its interval histograms.
/// </summary>
internal static class ResultsInputs
{
    public static IReadOnlyList<(ResultsDocument Doc, string? Path)> Load(IEnumerable<string> paths) =>
        ResultsSources.Load(paths).Select(s => (UnfinishedRecordings.Complete(s.Doc), (string?)s.Source)).ToList();
}

/// <summary>--max-avg-latency and --max-cpu-busy: the SLO shared by report, compare, analyze and peak.</summary>
internal sealed class SloOptions
{
    public required DurationOption MaxAvgLatency { get; init; }
    public required PercentOption MaxCpuBusy { get; init; }

    public static SloOptions Create() => new()
    {
        MaxAvgLatency = new DurationOption("--max-avg-latency") { Description = "SLO: average total connect latency must stay under this",
            DefaultValueFactory = _ => TimeSpan.FromMilliseconds(500) },
        MaxCpuBusy = new PercentOption("--max-cpu-busy") { Description = "SLO: every server core must stay at or under this busy percent",
            DefaultValueFactory = _ => 85 },
    };

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(MaxAvgLatency);
        cmd.Options.Add(MaxCpuBusy);
    }

    public ReportSlo Read(ParseResult p)
    {
        TimeSpan latency = p.GetValue(MaxAvgLatency);
        var cpu = p.GetValue(MaxCpuBusy);
        if (latency <= TimeSpan.Zero) throw new InputException("--max-avg-latency must be positive");
        if (cpu is <= 0 or > 100) throw new InputException($"--max-cpu-busy: {cpu} is not a percentage in (0, 100]");
        return new ReportSlo(latency.TotalMilliseconds, cpu);
    }
}
