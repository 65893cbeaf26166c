namespace ConnBurst.Reporting.Renderers;

/// <summary>One output format of <c>connburst report</c>. Each writes its files and returns their paths.</summary>
public interface IReportRenderer
{
    string Format { get; }
    IReadOnlyList<string> Write(ReportSet set, ReportOutput output);
}

/// <summary>The reports of one <c>connburst report</c> call, and their charts (built once for every renderer).</summary>
public sealed record ReportSet(IReadOnlyList<RunReport> Runs, IReadOnlyList<IReadOnlyList<Charts.Chart>> Charts)
{
    public static ReportSet Of(IReadOnlyList<RunReport> runs) => new(runs, runs.Select(Reporting.Charts.ReportCharts.For).ToList());
}

/// <summary>Where renderers write: <see cref="Directory"/> for PNG and text, <see cref="HtmlPath"/> for the HTML page.</summary>
public sealed record ReportOutput(string Directory, string BaseName, string HtmlPath);

/// <summary>What one renderer did: its files, or the one-line reason it failed.</summary>
public sealed record RenderOutcome(string Format, IReadOnlyList<string> Files, string? Error);
