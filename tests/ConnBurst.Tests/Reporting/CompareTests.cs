using ConnBurst.Common;
using ConnBurst.Reporting;
using ConnBurst.Reporting.Compare;

namespace ConnBurst.Tests.Reporting;

public class CompareTests
{
    [Fact]
    public void DeltasAndRatiosAreAgainstTheFirstRun()
    {
        var a = RunReportBuilder.Build(SampleResults.Burst(scaleMs: 10, tls: "1.2"));
        var b = RunReportBuilder.Build(SampleResults.Burst(scaleMs: 20, tls: "1.3"));
        var c = RunComparison.Build([a, b]);
        var avg = c.Rows.Single(r => r.Name == "total avg");
        Assert.Equal(a.Doc.Latency["total"].Avg, avg.Cells[0].Value);
        Assert.Equal(b.Doc.Latency["total"].Avg - a.Doc.Latency["total"].Avg, avg.Cells[1].Delta!.Value, 6);
        Assert.InRange(avg.Cells[1].Ratio!.Value, 1.8, 2.2);
        Assert.Equal(["tcp", "tls", "connack", "total"], c.Phases);
        var tls = Assert.Single(c.Differences);
        Assert.Equal("tls", tls.Key);
        Assert.Equal(["1.2", "1.3"], tls.Values);
    }

    [Fact]
    public void TextAndHtmlShowEveryRunAndAnOverlaidChartPerPhase()
    {
        var runs = new[] { 10.0, 15, 30 }.Select((s, i)
            => RunReportBuilder.Build(SampleResults.Burst(scaleMs: s, seed: i), $"/tmp/run{i}.json")).ToList();
        var c = RunComparison.Build(runs);
        var text = CompareRenderer.Text(c);
        Assert.Contains("baseline run0", text);
        Assert.Contains("ratio", text);
        var charts = CompareRenderer.Charts(c);
        Assert.Equal(4, charts.Count);
        var html = CompareRenderer.Html(c, charts);
        Assert.Contains("run2", html);
        Assert.DoesNotContain("http", html);
        Assert.Contains("data:image/png;base64,", html);
    }

    [Fact]
    public void RunsOfDifferentKindsAreAnInputError()
    {
        var burst = RunReportBuilder.Build(SampleResults.Burst());
        var chat = SampleResults.Burst();
        chat.Kind = "chat";
        var e = Assert.Throws<InputException>(() => RunComparison.Build([burst, RunReportBuilder.Build(chat)]));
        Assert.Contains("one kind", e.Message);
        Assert.Throws<InputException>(() => RunComparison.Build([burst]));
    }
}
