using System.Globalization;
using System.Text;

namespace ConnBurst.Reporting.Renderers;

/// <summary>The plain-text summary: what a terminal shows and &lt;base&gt;.txt holds.</summary>
public sealed class TextRenderer : IReportRenderer
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
        sb.AppendLine(CultureInfo.InvariantCulture, $"== {r.Label}: {d.Kind} run, {d.StartedAt:yyyy-MM-dd HH:mm:ss} UTC, {r.DurationSeconds:0.0} s, {d.Outcome}");
        if (d.Counts.Attempted > 0 || d.Counts.Connected > 0)
            sb.AppendLine(CultureInfo.InvariantCulture, $"   attempted {d.Counts.Attempted:N0}  connected {d.Counts.Connected:N0}  connacks {d.Counts.Connacks:N0}  failed {r.FailedTotal:N0}");
        if (d.Latency.Count > 0)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"   {"phase",-10}{"count",10}{"min",9}{"avg",9}{"p50",9}{"p75",9}{"p90",9}{"p95",9}{"p99",9}{"p99.9",9}{"max",9}   (ms)");
            foreach (var (phase, s) in d.Latency)
                sb.AppendLine(CultureInfo.InvariantCulture, $"   {phase,-10}{s.Count,10:N0}{s.Min,9:0.00}{s.Avg,9:0.00}{s.P50,9:0.00}{s.P75,9:0.00}{s.P90,9:0.00}{s.P95,9:0.00}{s.P99,9:0.00}{s.P999,9:0.00}{s.Max,9:0.00}");
        }
        foreach (var e in r.Errors)
            sb.AppendLine(CultureInfo.InvariantCulture, $"   error {e.Reason}: {e.Count:N0} ({e.ShareOfAttempts:P2} of attempts)");
        if (r.Server is { } m)
            sb.AppendLine(CultureInfo.InvariantCulture, $"   server cpu: busiest core cpu{m.BusiestCore} max {m.MaxCoreBusy:0.0}%, machine avg {m.TotalAvgBusy:0.0}%, {m.Samples} samples");
        if (r.Peak is { } p)
            foreach (var s in p.Steps)
                sb.AppendLine(CultureInfo.InvariantCulture, $"   step {s.Rate,9:0.#}/s  avg {s.AvgLatencyMs,8:0.00} ms  busiest core {(s.MaxCoreBusy is { } b ? b.ToString("0.0", CultureInfo.InvariantCulture) + "%" : "n/a"),7}  {s.Connected:N0}/{s.Attempted:N0} connected  {s.Outcome}");
        foreach (var v in r.Verdicts)
            sb.AppendLine(CultureInfo.InvariantCulture, $"   [{v.Mark}] {v.Name}: {v.Text}");
        if (r.Analysis is { } a)
            foreach (var c in a.Claims)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"   {c.Question}: {c.Text}");
                foreach (var e in c.Evidence) sb.AppendLine(CultureInfo.InvariantCulture, $"      - {e}");
            }
    }
}
