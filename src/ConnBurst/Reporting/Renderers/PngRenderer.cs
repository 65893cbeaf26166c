namespace ConnBurst.Reporting.Renderers;

/// <summary>Every chart of every run as a PNG beside the report: &lt;base&gt;[-&lt;run&gt;]-&lt;chart&gt;.png.</summary>
internal sealed class PngRenderer : IReportRenderer
{
    public string Format => "png";

    public IReadOnlyList<string> Write(ReportSet set, ReportOutput output)
    {
        var files = new List<string>();
        for (var i = 0; i < set.Runs.Count; i++)
        {
            var prefix = set.Runs.Count == 1 ? output.BaseName : $"{output.BaseName}-{i + 1}";
            foreach (var chart in set.Charts[i]) files.Add(chart.SavePng(output.Directory, prefix));
        }
        return files;
    }
}
