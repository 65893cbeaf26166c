namespace ConnBurst.Reporting.Renderers;

/// <summary>
/// A format that writes one file per run of its kind, named from the run (the benchmarks' own files: a chat run's
/// text and chart, a monitor recording's), and nothing for runs of other kinds.
/// </summary>
internal abstract class RunFileRenderer : IReportRenderer
{
    public abstract string Format { get; }

    public IReadOnlyList<string> Write(ReportSet set, ReportOutput output) =>
        set.Runs.Where(AppliesTo).Select(run =>
        {
            var path = Path.GetFullPath(Path.Combine(output.Directory, FileName(run, output.BaseName)));
            Render(path, run);
            return path;
        }).ToList();

    protected abstract bool AppliesTo(RunReport run);

    protected abstract string FileName(RunReport run, string baseName);

    protected abstract void Render(string path, RunReport run);
}
