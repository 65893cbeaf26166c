using System.Globalization;
using System.Text;
using ConnBurst.Reporting.Tables;

namespace ConnBurst.Reporting.Renderers;

/// <summary>The plain-text summary: what a terminal shows and &lt;base&gt;.txt holds.</summary>
internal sealed class TextRenderer : IReportRenderer
{
    public string Format => "text";

    public IReadOnlyList<string> Write(ReportSet set, ReportOutput output)
    {
        var path = Path.Combine(output.Directory, output.BaseName + ".txt");
        File.WriteAllText(path, Render(set));
        return [path];
    }

    public static string Render(ReportSet set)
    {
        var sb = new StringBuilder();
        foreach (var r in set.Runs) Render(sb, r);
        return sb.ToString();
    }

    private static void Render(StringBuilder sb, RunReport r)
    {
        var d = r.Doc;
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"== {r.Label}: {d.Kind} run, {d.StartedAt:yyyy-MM-dd HH:mm:ss} UTC, {r.DurationSeconds:0.0} s, {d.Outcome}");
        if (d.Counts.Attempted > 0 || d.Counts.Connected > 0)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"   attempted {d.Counts.Attempted:N0}  connected {d.Counts.Connected:N0}  connacks {d.Counts.Connacks:N0}  failed " +
                $"{r.FailedTotal:N0}");
        }
        if (d.Latency.Count > 0) TextTable.AppendTo(sb, LatencyTable.Of(d.Latency), "   ");
        foreach (var e in r.Errors)
            sb.AppendLine(CultureInfo.InvariantCulture, $"   error {e.Reason}: {e.Count:N0} ({e.ShareOfAttempts:P2} of attempts)");
        if (r.Server is { } m)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"   server cpu: busiest core cpu{m.BusiestCore} max {m.MaxCoreBusy:0.0}%, machine avg {m.TotalAvgBusy:0.0}%, " +
                $"{m.Samples} samples");
        }
        if (r.Peak is { Steps.Count: > 0 } p) TextTable.AppendTo(sb, PeakStepsTable.Of(p), "   ");
        foreach (var v in r.Verdicts)
            sb.AppendLine(CultureInfo.InvariantCulture, $"   [{v.Mark}] {v.Name}: {v.Text}");
        if (r.Analysis is { } a) AppendAnalysis(sb, a, "   ");
        if (r.FirstFailingStep is { } step)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"   at the first failing step ({step.Rate:0.#}/s, {step.Outcome}):");
            AppendAnalysis(sb, step.ToAnalysis(), "      ");
        }
    }

    private static void AppendAnalysis(StringBuilder sb, Analysis.BottleneckAnalysis a, string indent)
    {
        foreach (var c in a.Claims)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"{indent}{c.Question}: {c.Text}");
            foreach (var e in c.Evidence) sb.AppendLine(CultureInfo.InvariantCulture, $"{indent}   - {e}");
        }
        foreach (var line in Analysis.ProposalText.Lines(a, indent)) sb.AppendLine(line);
    }
}
