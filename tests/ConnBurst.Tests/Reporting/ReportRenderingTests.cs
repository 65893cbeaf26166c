using ConnBurst.Reporting;
using ConnBurst.Reporting.Renderers;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Results;

namespace ConnBurst.Tests.Reporting;

public class ReportRenderingTests
{
    private static ReportSet Set(params ResultsDocument[] docs) =>
        ReportSet.Of(docs.Select(d => RunReportBuilder.Build(d)).ToList());

    [Fact]
    public void EveryFormatWritesItsFiles()
    {
        using var dir = new TempDir();
        var set = Set(SampleResults.Burst(failed: 3).WithServer(SampleResults.Server()));
        var outcomes = CompositeRenderer.Default().Write(set, new ReportOutput(dir.Path, "run", dir.Combine("run.html")));
        Assert.All(outcomes, o => Assert.Null(o.Error));
        Assert.True(File.Exists(dir.Combine("run.txt")));
        Assert.True(File.Exists(dir.Combine("run.html")));
        var pngs = outcomes.Single(o => o.Format == "png").Files;
        Assert.Equal(["latency-over-time", "latency-distribution", "rates", "server-cpu"],
            pngs.Select(p => Path.GetFileNameWithoutExtension(p)["run-".Length..]));
        foreach (var png in pngs)
        {
            var bytes = File.ReadAllBytes(png);
            Assert.True(bytes.Length > 5_000, $"{png} is only {bytes.Length} bytes");
            Assert.Equal(0x89, bytes[0]); // PNG signature
        }
    }

    [Fact]
    public void OneFailingFormatDoesNotStopTheOthers()
    {
        using var dir = new TempDir();
        var composite = new CompositeRenderer([new ThrowingRenderer(), new TextRenderer(), new HtmlRenderer()]);
        var outcomes = composite.Write(Set(SampleResults.Burst()), new ReportOutput(dir.Path, "run", dir.Combine("run.html")));
        Assert.Equal("disk on fire", outcomes[0].Error);
        Assert.Null(outcomes[1].Error);
        Assert.Null(outcomes[2].Error);
        Assert.True(File.Exists(dir.Combine("run.html")));
    }

    private sealed class ThrowingRenderer : IReportRenderer
    {
        public string Format => "broken";
        public IReadOnlyList<string> Write(ReportSet set, ReportOutput output) => throw new IOException("disk on fire");
    }

    [Fact]
    public void HtmlIsSelfContainedWithChartsVerdictsErrorsConfigAndMachine()
    {
        var html = HtmlRenderer.Render(Set(SampleResults.Burst(failed: 7).WithServer(SampleResults.Server(core0Max: 97))));
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("<script", html);
        Assert.Equal(4, CountOf(html, "src=\"data:image/png;base64,"));
        Assert.Contains("id=\"verdict\"", html);
        Assert.Contains("SLO not met", html);
        Assert.Contains("busiest server core (cpu0) peaked at 97.0% busy", html);
        Assert.Contains("<td>timeout</td>", html);
        Assert.Contains("127.0.0.1:8884", html);
        Assert.Contains("Test CPU", html);
        Assert.Contains("Bottleneck analysis", html);
    }

    [Fact]
    public void TextSummaryCarriesPercentilesVerdictsAndAnalysis()
    {
        var text = TextRenderer.Render(Set(SampleResults.Burst().WithServer(SampleResults.Server())));
        Assert.Contains("total", text);
        Assert.Contains("p99.9", text);
        Assert.Contains("[PASS] latency", text);
        Assert.Contains("[PASS] cpu", text);
        Assert.Contains("threads:", text);
    }

    [Fact]
    public void WithoutAMonitorTheCpuVerdictIsNotJudged()
    {
        var run = RunReportBuilder.Build(SampleResults.Burst());
        Assert.Null(run.Verdicts.Single(v => v.Name == "cpu").Passed);
        Assert.True(run.Verdicts.Single(v => v.Name == "latency").Passed);
    }

    [Fact]
    public void SlowRunsFailTheLatencyVerdict()
    {
        var run = RunReportBuilder.Build(SampleResults.Burst(scaleMs: 900));
        Assert.False(run.Verdicts.Single(v => v.Name == "latency").Passed);
    }

    [Fact]
    public void AMonitorResultIsJoinedToTheRunItWatched()
    {
        var burst = SampleResults.Burst();
        var monitor = new ResultsDocument { Kind = "monitor", StartedAt = burst.StartedAt.AddSeconds(-1),
            EndedAt = burst.EndedAt.AddSeconds(1) };
        monitor.Sections["monitor"] = SampleResults.MonitorSection(summary: SampleResults.Server(core0Max: 91));
        var runs = RunReportBuilder.Build([(burst, null), (monitor, null)]);
        var run = Assert.Single(runs);
        Assert.Equal(91, run.Server!.MaxCoreBusy);
        Assert.NotNull(run.Server.Series);
        Assert.False(run.Verdicts.Single(v => v.Name == "cpu").Passed);
    }

    private static int CountOf(string text, string part)
    {
        var n = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}

public class ResultsFileTests
{
    [Fact]
    public void SectionsSurviveAWriteAndARead()
    {
        using var dir = new TempDir();
        var doc = SampleResults.Burst().WithServer(SampleResults.Server(core0Max: 66));
        var back = ResultsFile.Read(ResultsFile.Write(doc, dir.Path));
        Assert.Equal(66, ConnBurst.Reporting.Sections.ServerFigures.Of(back)!.MaxCoreBusy);
        Assert.Equal(2.5, ConnBurst.Reporting.Sections.ResultsSections.GeneratorSection(back)!.CpuSeconds);
        Assert.Equal(doc.Latency["total"].P99, back.Latency["total"].P99);
        Assert.Equal(doc.Intervals.Count, back.Intervals.Count);
    }
}
