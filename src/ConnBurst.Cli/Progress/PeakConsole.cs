using System.Globalization;
using ConnBurst.Common;
using ConnBurst.Reporting.Sections;
using ConnBurst.Reporting.Tables;
using ConnBurst.Runs;

namespace ConnBurst.Cli.Progress;

/// <summary>
/// What a peak search prints as it runs (<c>connburst peak</c>, and <c>connburst demo</c> indented under its own
/// lines): the plan, each step as a row of the steps table when it finishes, the verdict and the report's files.
/// </summary>
internal sealed class PeakConsole(TextWriter output) : IPeakView
{
    private int _steps;

    public void Planned(PeakRun.Settings s) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak: {s.Burst.Target}, SLO avg latency < {s.Search.MaxAvgLatencyMs:0.#} ms and every server core <= " +
                $"{s.Search.MaxCpuBusy:0.#}% busy; " +
            $"steps of {Durations.Format(s.Steps.StepDuration)} from {s.Search.StartRate:0.#}/s, precision {s.Search.Precision:P0}; " +
            $"monitor {(s.Monitor?.ToString() ?? "none")}"));

    public void Step(PeakStepRecord step)
    {
        if (_steps == 0) output.WriteLine(TextTable.Header(PeakStepsTable.Of([]), "  "));
        output.WriteLine(TextTable.Row(PeakStepsTable.Of([step], ++_steps), 0, "  "));
    }

    // Only the search's own warnings: each step's lag and CPU already show in its row.
    public void Log(string line)
    {
        if (line.StartsWith("warning: no --monitor", StringComparison.Ordinal)) output.WriteLine("  " + line);
    }

    /// <summary>A staircase judged after the run (<c>peak --from</c>): every stage at once, then the verdict and files.</summary>
    public static void PrintStaged(TextWriter output, PeakRun.Reported report)
    {
        if (report.Doc.GetSection<PeakSection>(Reporting.Sections.ResultsSections.Peak) is { } peak)
            output.Write(TextTable.Render(PeakStepsTable.Of(peak), "  "));
        new PeakConsole(output).Reported(report);
    }

    public void Reported(PeakRun.Reported report)
    {
        output.WriteLine($"verdict: {report.Doc.Section("peak")?["verdict"]?.GetValue<string>() ?? ""}");
        foreach (var o in report.Outcomes)
        {
            output.WriteLine(o.Error is null ? $"{o.Format}: {string.Join(", ", o.Files.Select(Path.GetFileName))}"
                : $"{o.Format}: FAILED: {o.Error}");
        }
        output.WriteLine($"report: {report.HtmlPath}");
    }
}
