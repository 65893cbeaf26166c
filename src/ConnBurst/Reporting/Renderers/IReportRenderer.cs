namespace ConnBurst.Reporting.Renderers;

/// <summary>
/// One output format. Each writes its files for the runs it renders and returns their paths; a format that is for
/// one kind of run only (the chat benchmark's files, a monitor recording's) writes nothing for the others.
/// </summary>
internal interface IReportRenderer
{
    string Format { get; }
    IReadOnlyList<string> Write(ReportSet set, ReportOutput output);
}

/// <summary>The runs to render, and their report charts (built once, on first use, for every renderer that draws them).</summary>
internal sealed class ReportSet
{
    private readonly Lazy<IReadOnlyList<IReadOnlyList<Charts.Chart>>> _charts;

    private ReportSet(IReadOnlyList<RunReport> runs)
    {
        Runs = runs;
        _charts = new(() => runs.Select(Reporting.Charts.ReportCharts.For).ToList());
    }

    public IReadOnlyList<RunReport> Runs { get; }

    /// <summary>Each run's report charts; lazy, so a set whose renderers draw none (a chat run's own files) never builds them.</summary>
    public IReadOnlyList<IReadOnlyList<Charts.Chart>> Charts => _charts.Value;

    public static ReportSet Of(IReadOnlyList<RunReport> runs) => new(runs);
}

/// <summary>
/// Where renderers write: <see cref="Directory"/> for every file, named after <see cref="BaseName"/> (the files under
/// the benchmarks' names put it where those names have their timestamp), and <see cref="HtmlPath"/> for the HTML page.
/// </summary>
internal sealed record ReportOutput(string Directory, string BaseName, string? HtmlPath = null)
{
    public string Html => HtmlPath ?? Path.Combine(Directory, BaseName + ".html");
}

/// <summary>What one renderer did: its files, or the one-line reason it failed.</summary>
internal sealed record RenderOutcome(string Format, IReadOnlyList<string> Files, string? Error);
