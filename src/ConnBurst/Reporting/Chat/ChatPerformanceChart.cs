using ConnBurst.Reporting.Charts;
using ConnBurst.Reporting.Renderers;
using ScottPlot;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Chat;

/// <summary>
/// The chat benchmark's <c>TLS_1_X_client_performance_&lt;TIMESTAMP&gt;.png</c>: four panels from one results document, drawn with
/// the shared charts (Reporting/Charts): connection-time distribution (TCP, TLS), message-time distribution (round
/// trip, fan-out), messages per second and open connections over time, and the round trip's percentiles over time.
/// Written for chat runs only.
/// </summary>
internal sealed class ChatPerformanceChart : RunFileRenderer
{
    public const int Width = 1600;
    public const int Height = 1000;

    public override string Format => "png";

    protected override bool AppliesTo(RunReport run) => run.Doc.Kind == "chat";

    protected override string FileName(RunReport run, string baseName)
        => ChatResultsWriter.FileName(run.Doc, "performance", baseName, "png");

    protected override void Render(string path, RunReport run) => Save(run.Doc, path);

    public static void Save(ResultsDocument doc, string path)
    {
        var tls = doc.Config["tls"]?.ToString() == "tls13" ? "TLS 1.3" : "TLS 1.2";
        var multiplot = new Multiplot(); // starts with one empty plot: Reset replaces it with the first panel
        multiplot.Reset(LatencyCharts.Distribution(Series(doc, ("TCP connect", "tcp"), ("TLS handshake", "tls")),
            $"{tls}: connection time distribution", "connect"));
        multiplot.AddPlot(LatencyCharts.Distribution(Series(doc, ("round trip", "roundtrip"), ("fan-out", "fanout")),
            $"{tls}: message time distribution", "message"));
        multiplot.AddPlot(RateCharts.ConnectionsAndRates(doc.Intervals, $"{tls}: messages per second"));
        multiplot.AddPlot(LatencyCharts.PercentilesOverTime(doc.Intervals, "roundtrip", $"{tls}: round trip over time"));
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(2, 2);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        multiplot.SavePng(path, Width, Height);
    }

    private static List<(string, LatencySummary)> Series(ResultsDocument doc, params (string Label, string Phase)[] phases) =>
        phases.Where(p => doc.Latency.TryGetValue(p.Phase, out var s) && s.Count > 0)
            .Select(p => ($"{p.Label} (n={doc.Latency[p.Phase].Count:N0})", doc.Latency[p.Phase])).ToList();
}
