using System.Globalization;
using ConnBurst.Reporting.Sections;
using ConnBurst.Reporting.Tables;

namespace ConnBurst.Reporting.Renderers;

/// <summary>
/// The self-contained HTML report: verdicts first, then headline figures, charts (base64 PNG), latency and error
/// tables, the bottleneck analysis, the run configuration and the machine facts. One file, no network reference.
/// </summary>
internal sealed class HtmlRenderer : IReportRenderer
{
    public string Format => "html";

    public IReadOnlyList<string> Write(ReportSet set, ReportOutput output)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output.Html))!);
        File.WriteAllText(output.Html, Render(set));
        return [output.Html];
    }

    public static string Render(ReportSet set)
    {
        var page = new HtmlPage();
        var title = set.Runs.Count == 1 ? $"ConnBurst {set.Runs[0].Doc.Kind} report: {set.Runs[0].Label}"
            : $"ConnBurst report: {set.Runs.Count} runs";
        page.Heading(1, title);
        page.Paragraph(
            $"generated {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC from " +
            $"{string.Join(", ", set.Runs.Select(r => r.SourcePath is null ? r.Label : Path.GetFileName(r.SourcePath)))}", "sub");
        for (var i = 0; i < set.Runs.Count; i++) Run(page, set.Runs[i], set.Charts[i], set.Runs.Count > 1);
        return page.ToHtml(title);
    }

    private static void Run(HtmlPage page, RunReport r, IReadOnlyList<Charts.Chart> charts, bool many)
    {
        var d = r.Doc;
        if (many) page.Heading(2, $"{r.Label} ({d.Kind})");
        var o = r.Overall;
        var css = o.AnyFailed ? "fail" : o.SloMet is null ? "na" : "pass";
        page.Raw($"<div class=\"verdict {css}\" id=\"verdict\">Verdict: {o.SloText} &mdash; {HtmlPage.E(o.Headline)}</div>\n");
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
            var latency = LatencyTable.Of(d.Latency);
            page.Heading(many ? 3 : 2, $"Latency ({latency.SharedUnit})");
            page.Table(latency.Headings, latency.RowsText(), numericFrom: 1);
        }
        if (r.Peak is { } peak)
        {
            var steps = PeakStepsTable.Of(peak);
            page.Heading(many ? 3 : 2, peak.Method == "staircase" ? "Stages (the staircase; peak marked)" : "Peak search steps");
            page.Table(steps.Headings, steps.RowsText(), numericFrom: 1);
        }
        page.Heading(many ? 3 : 2, "Errors");
        if (r.Errors.Count == 0)
        {
            page.Paragraph("No failed attempts.");
        }
        else
        {
            page.Table(["reason", "count", "share of attempts"],
                r.Errors.Select(e =>
                    (IReadOnlyList<string>)[e.Reason, I(e.Count), e.ShareOfAttempts.ToString("P2", CultureInfo.InvariantCulture)]),
                "errors", numericFrom: 1);
        }

        if (r.Analysis is { } a)
        {
            page.Heading(many ? 3 : 2, "Bottleneck analysis");
            AnalysisHtml(page, a);
        }
        if (r.FirstFailingStep is { } step)
        {
            page.Heading(many ? 3 : 2, $"Bottleneck analysis at the first failing step" +
                $" ({step.Rate.ToString("0.#", CultureInfo.InvariantCulture)}/s, {step.Outcome})");
            AnalysisHtml(page, step.ToAnalysis());
        }
        page.Heading(many ? 3 : 2, "Run configuration");
        page.Table(["setting", "value"], d.Config.Select(kv => (IReadOnlyList<string>)[kv.Key, d.ConfigText(kv.Key)])
            .Prepend(["outcome", d.Outcome]).Prepend(["started", d.StartedAt.ToString("u", CultureInfo.InvariantCulture)]), "kv");
        page.Heading(many ? 3 : 2, "Machine");
        var m = d.Machine;
        page.Table(["fact", "value"], new List<IReadOnlyList<string>>
        {
            new[] { "host", m.Host }, new[] { "cpu", $"{m.Cores} cores, {m.CpuModel}" }, new[] { "memory", $"{m.MemoryMiB:N0} MiB" },
            new[] { "os / kernel", $"{m.Os} / {m.Kernel}" }, new[] { ".NET", m.DotNet }, new[] { "OpenSSL", m.OpenSsl },
                new[] { "fd limit", I(m.FdLimit) },
        }, "kv");
    }

    /// <summary>The claims, then the proposals, ranked, each with its evidence, expected effect and the command that checks it.</summary>
    private static void AnalysisHtml(HtmlPage page, Analysis.BottleneckAnalysis a)
    {
        foreach (var c in a.Claims)
        {
            page.Raw($"<p><strong>{HtmlPage.E(c.Question)}:</strong> {HtmlPage.E(c.Text)}</p><ul class=\"evidence\">");
            foreach (var e in c.Evidence) page.Raw($"<li>{HtmlPage.E(e)}</li>");
            page.Raw("</ul>\n");
        }
        if (a.NoProposal is { } none)
        {
            page.Raw($"<p class=\"proposals-none\"><strong>proposals:</strong> {HtmlPage.E(none)}</p>\n");
            return;
        }
        page.Raw("<p><strong>proposals</strong>, most promising first:</p><ol class=\"proposals\">\n");
        foreach (var p in a.Proposals)
        {
            page.Raw($"<li id=\"proposal-{HtmlPage.E(p.Id)}\"><strong>{HtmlPage.E(p.Change)}</strong><ul class=\"evidence\">");
            foreach (var e in p.Evidence) page.Raw($"<li>{HtmlPage.E(e)}</li>");
            page.Raw($"</ul><p>expected: {HtmlPage.E(p.Effect)}</p><p>check: <code>{HtmlPage.E(p.Command)}</code></p></li>\n");
        }
        page.Raw("</ol>\n");
    }

    private static IEnumerable<(string, string)> Cards(RunReport r)
    {
        // The same figures as the tables below, so they print the same.
        if (r.Peak is { } p) yield return ("peak conn/s", p.Rate > 0 ? PeakStepsTable.Rate.Text(p.Rate) : "none");
        if (r.Headline is { Count: > 0 } h)
        {
            yield return ($"avg {r.HeadlinePhase} ms", LatencyTable.Avg.Text(h.Avg));
            yield return ($"p99 {r.HeadlinePhase} ms", LatencyTable.P99.Text(h.P99));
        }
        if (r.Doc.Counts.Attempted > 0)
        {
            yield return ("connected", I(r.Doc.Counts.Connected));
            yield return ("failed", I(r.FailedTotal));
        }
        if (r.Server is { } m) yield return ("busiest server core", $"{PeakStepsTable.BusiestCore.Text(m.MaxCoreBusy)}%");
    }

    private static string I(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
}
