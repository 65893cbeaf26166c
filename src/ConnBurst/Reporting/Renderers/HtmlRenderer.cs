using System.Globalization;
using ConnBurst.Reporting.Sections;

namespace ConnBurst.Reporting.Renderers;

/// <summary>
/// The self-contained HTML report: verdicts first, then headline figures, charts (base64 PNG), latency and error
/// tables, the bottleneck analysis, the run configuration and the machine facts. One file, no network reference.
/// </summary>
public sealed class HtmlRenderer : IReportRenderer
{
    public string Format => "html";

    public IReadOnlyList<string> Write(ReportSet set, ReportOutput output)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output.HtmlPath))!);
        File.WriteAllText(output.HtmlPath, Render(set));
        return [output.HtmlPath];
    }

    public static string Render(ReportSet set)
    {
        var page = new HtmlPage();
        var title = set.Runs.Count == 1 ? $"ConnBurst {set.Runs[0].Doc.Kind} report: {set.Runs[0].Label}" : $"ConnBurst report: {set.Runs.Count} runs";
        page.Heading(1, title);
        page.Paragraph($"generated {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC from {string.Join(", ", set.Runs.Select(r => r.SourcePath is null ? r.Label : Path.GetFileName(r.SourcePath)))}", "sub");
        for (var i = 0; i < set.Runs.Count; i++) Run(page, set.Runs[i], set.Charts[i], set.Runs.Count > 1);
        return page.ToHtml(title);
    }

    private static void Run(HtmlPage page, RunReport r, IReadOnlyList<Charts.Chart> charts, bool many)
    {
        var d = r.Doc;
        if (many) page.Heading(2, $"{r.Label} ({d.Kind})");
        var slo = r.Verdicts.Where(v => v.Name is "latency" or "cpu" or "peak").Where(v => v.Passed.HasValue).ToList();
        var sloText = slo.Count == 0 ? "SLO not judged" : slo.All(v => v.Passed == true) ? "SLO met" : "SLO not met";
        var anyFailed = r.Verdicts.Any(v => v.Passed == false);
        var css = anyFailed ? "fail" : slo.Count == 0 ? "na" : "pass";
        var headline = r.Peak?.Verdict is { Length: > 0 } pv ? pv : string.Join("; ", r.Verdicts.Where(v => v.Name != "outcome" || v.Passed == false).Select(v => v.Text));
        page.Raw($"<div class=\"verdict {css}\" id=\"verdict\">Verdict: {sloText} &mdash; {HtmlPage.E(headline)}</div>\n");
        page.Cards(Cards(r));

        page.Heading(many ? 3 : 2, "Verdicts");
        page.Table(["check", "result", "detail"], r.Verdicts.Select(v => (IReadOnlyList<string>)[v.Name, v.Mark, v.Text]), "verdicts");

        if (charts.Count > 0)
        {
            page.Heading(many ? 3 : 2, "Charts");
            foreach (var c in charts) page.Chart(c);
        }
        if (d.Latency.Count > 0)
        {
            page.Heading(many ? 3 : 2, "Latency (ms)");
            page.Table(["phase", "count", "min", "avg", "p50", "p75", "p90", "p95", "p99", "p99.9", "max"],
                d.Latency.Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value.Count.ToString("N0", CultureInfo.InvariantCulture),
                    N(kv.Value.Min), N(kv.Value.Avg), N(kv.Value.P50), N(kv.Value.P75), N(kv.Value.P90), N(kv.Value.P95), N(kv.Value.P99), N(kv.Value.P999), N(kv.Value.Max)]),
                numericFrom: 1);
        }
        if (r.Peak is { } peak)
        {
            page.Heading(many ? 3 : 2, "Peak search steps");
            page.Table(["#", "offered rate/s", "avg ms", "p99 ms", "busiest core %", "attempted", "connected", "failed", "outcome"],
                peak.Steps.Select((s, i) => (IReadOnlyList<string>)[(i + 1).ToString(CultureInfo.InvariantCulture), N(s.Rate), N(s.AvgLatencyMs), s.P99LatencyMs is { } p ? N(p) : "",
                    s.MaxCoreBusy is { } b ? N(b) : "n/a", I(s.Attempted), I(s.Connected), I(s.Failed), s.Outcome + (s.Note is null ? "" : $" ({s.Note})")]),
                numericFrom: 1);
        }
        page.Heading(many ? 3 : 2, "Errors");
        if (r.Errors.Count == 0) page.Paragraph("No failed attempts.");
        else page.Table(["reason", "count", "share of attempts"], r.Errors.Select(e => (IReadOnlyList<string>)[e.Reason, I(e.Count), e.ShareOfAttempts.ToString("P2", CultureInfo.InvariantCulture)]), "errors", numericFrom: 1);

        if (r.Analysis is { } a)
        {
            page.Heading(many ? 3 : 2, "Bottleneck analysis");
            foreach (var c in a.Claims)
            {
                page.Raw($"<p><strong>{HtmlPage.E(c.Question)}:</strong> {HtmlPage.E(c.Text)}</p><ul class=\"evidence\">");
                foreach (var e in c.Evidence) page.Raw($"<li>{HtmlPage.E(e)}</li>");
                page.Raw("</ul>\n");
            }
        }
        page.Heading(many ? 3 : 2, "Run configuration");
        page.Table(["setting", "value"], d.Config.Select(kv => (IReadOnlyList<string>)[kv.Key, d.ConfigText(kv.Key)])
            .Prepend(["outcome", d.Outcome]).Prepend(["started", d.StartedAt.ToString("u", CultureInfo.InvariantCulture)]), "kv");
        page.Heading(many ? 3 : 2, "Machine");
        var m = d.Machine;
        page.Table(["fact", "value"], new List<IReadOnlyList<string>>
        {
            new[] { "host", m.Host }, new[] { "cpu", $"{m.Cores} cores, {m.CpuModel}" }, new[] { "memory", $"{m.MemoryMiB:N0} MiB" },
            new[] { "os / kernel", $"{m.Os} / {m.Kernel}" }, new[] { ".NET", m.DotNet }, new[] { "OpenSSL", m.OpenSsl }, new[] { "fd limit", I(m.FdLimit) },
        }, "kv");
    }

    private static IEnumerable<(string, string)> Cards(RunReport r)
    {
        if (r.Peak is { } p) yield return ("peak conn/s", p.Rate > 0 ? N(p.Rate) : "none");
        if (r.Headline is { Count: > 0 } h)
        {
            yield return ($"avg {r.HeadlinePhase} ms", N(h.Avg));
            yield return ($"p99 {r.HeadlinePhase} ms", N(h.P99));
        }
        if (r.Doc.Counts.Attempted > 0)
        {
            yield return ("connected", I(r.Doc.Counts.Connected));
            yield return ("failed", I(r.FailedTotal));
        }
        if (r.Server is { } m) yield return ("busiest server core", $"{N(m.MaxCoreBusy)}%");
    }

    private static string N(double v) => Verdicts.F(v);
    private static string I(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
}
