using System.Net;
using System.Text;

namespace ConnBurst.Reporting.Renderers;

/// <summary>
/// Building blocks of ConnBurst's self-contained HTML pages (report, compare): inline CSS, charts as base64 PNG,
/// no script and no network reference, so a page opens anywhere, offline, as one file.
/// </summary>
internal sealed class HtmlPage
{
    private readonly StringBuilder _body = new();

    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    public HtmlPage Raw(string html) { _body.Append(html); return this; }

    public HtmlPage Heading(int level, string text, string? id = null)
    {
        _body.Append($"<h{level}{(id is null ? "" : $" id=\"{E(id)}\"")}>{E(text)}</h{level}>\n");
        return this;
    }

    public HtmlPage Paragraph(string text, string? cssClass = null)
    {
        _body.Append($"<p{(cssClass is null ? "" : $" class=\"{cssClass}\"")}>{E(text)}</p>\n");
        return this;
    }

    /// <summary>A table; <paramref name="numericFrom"/> right-aligns columns from that index on.</summary>
    public HtmlPage Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string? cssClass = null,
        int numericFrom = int.MaxValue)
    {
        _body.Append($"<table{(cssClass is null ? "" : $" class=\"{cssClass}\"")}><thead><tr>");
        for (var i = 0; i < header.Count; i++) _body.Append($"<th{(i >= numericFrom ? " class=\"num\"" : "")}>{E(header[i])}</th>");
        _body.Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            for (var i = 0; i < row.Count; i++) _body.Append($"<td{(i >= numericFrom ? " class=\"num\"" : "")}>{E(row[i])}</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</tbody></table>\n");
        return this;
    }

    public HtmlPage Chart(Charts.Chart chart)
    {
        var png = Convert.ToBase64String(chart.Png());
        _body.Append(
            $"<figure class=\"chart\" data-chart=\"{E(chart.Id)}\"><img alt=\"{E(chart.Title)}\" width=\"{Charts.Chart.Width}\" " +
            $"height=\"{Charts.Chart.Height}\" src=\"data:image/png;base64,{png}\"><figcaption>{E(chart.Title)}</figcaption></figure>\n");
        return this;
    }

    /// <summary>Headline figures as cards: (label, value) pairs.</summary>
    public HtmlPage Cards(IEnumerable<(string Label, string Value)> cards)
    {
        _body.Append("<div class=\"cards\">");
        foreach (var (label, value) in cards)
            _body.Append($"<div class=\"card\"><div class=\"value\">{E(value)}</div><div class=\"label\">{E(label)}</div></div>");
        _body.Append("</div>\n");
        return this;
    }

    public string ToHtml(string title) =>
        $"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, " +
            $"initial-scale=1\">" +
        $"<title>{E(title)}</title><style>{Css}</style></head><body><main>\n{_body}</main></body></html>\n";

    private const string Css = """
        body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:0;background:#f4f5f7;color:#1d232b}
        main{max-width:1000px;margin:0 auto;padding:24px 28px 60px;background:#fff;min-height:100vh;box-shadow:0 0 12px #0001}
        h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 10px;border-bottom:2px solid #e3e6ea;padding-bottom:4px}
        h3{font-size:16px;margin:20px 0 8px}.sub{color:#5b6570;margin:0 0 16px}
        .verdict{font-size:17px;padding:12px 16px;border-radius:6px;margin:14px 0;font-weight:600}
        .verdict.pass{background:#e5f6e9;border-left:6px solid #23a047}.verdict.fail{background:#fdeaea;border-left:6px solid #d23c3c}
        .verdict.na{background:#f1f2f4;border-left:6px solid #8a939c}
        .cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}.card{flex:1 1 140px;border:1px solid #e3e6ea;border-radius:6px;padding:10px 12px}
        .card .value{font-size:22px;font-weight:700}.card .label{font-size:12px;color:#5b6570;text-transform:uppercase;letter-spacing:.04em}
        table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}th,td{padding:5px 8px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
        th{background:#f7f8fa}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        .mark-PASS{color:#1c7f38;font-weight:700}.mark-FAIL{color:#c02f2f;font-weight:700}.mark-n\/a{color:#6b747d}
        figure.chart{margin:16px 0;text-align:center}figure.chart img{max-width:100%;height:auto;border:1px solid #e3e6ea}
        figcaption{font-size:13px;color:#5b6570;margin-top:4px}ul.evidence{margin:4px 0 10px;color:#39424c;font-size:13px}
        .kv td:first-child{width:30%;color:#5b6570}
        """;
}
