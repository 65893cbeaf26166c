namespace ConnBurst.Reporting.Renderers;

/// <summary>Runs every renderer; one format's failure is recorded and the others still write (BenchmarkDotNet's composite
/// exporter).</summary>
internal sealed class CompositeRenderer(IEnumerable<IReportRenderer> renderers)
{
    public static CompositeRenderer Default() => new([new TextRenderer(), new PngRenderer(), new HtmlRenderer()]);

    public IReadOnlyList<RenderOutcome> Write(ReportSet set, ReportOutput output)
    {
        System.IO.Directory.CreateDirectory(output.Directory);
        var outcomes = new List<RenderOutcome>();
        foreach (var r in renderers)
        {
            try { outcomes.Add(new RenderOutcome(r.Format, r.Write(set, output), null)); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                outcomes.Add(new RenderOutcome(r.Format, [], e.Message.ReplaceLineEndings(" ")));
            }
        }
        return outcomes;
    }
}
