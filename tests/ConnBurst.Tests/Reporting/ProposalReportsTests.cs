using ConnBurst.Reporting;
using ConnBurst.Reporting.Analysis;
using ConnBurst.Reporting.Renderers;
using ConnBurst.Reporting.Sections;
using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Reporting;

/// <summary>Where proposals show: the text and HTML reports' analysis, and a peak report at its first failing step.</summary>
public class ProposalReportsTests
{
    private static ResultsDocument NotReading()
    {
        var server = SampleResults.Server(core0Max: 30, core1Max: 20, recvQSumMax: 900_000.0);
        return SampleResults.Burst().WithServer(server);
    }

    [Fact]
    public void TheReportsShowEachProposalWithItsEvidenceEffectAndCommand()
    {
        var set = ReportSet.Of([RunReportBuilder.Build(NotReading())]);
        var text = TextRenderer.Render(set);
        Assert.Contains("proposals, most promising first:", text);
        Assert.Contains("1. [server-not-reading]", text);
        Assert.Contains("check: connburst serve mqtt --workers 2", text);
        var html = HtmlRenderer.Render(set);
        Assert.Contains("<li id=\"proposal-server-not-reading\">", html);
        Assert.Contains("check: <code>connburst serve mqtt --workers 2", html);

        var quiet = ReportSet.Of([RunReportBuilder.Build(SampleResults.Burst().WithServer(SampleResults.Server(core0Max: 30,
            core1Max: 20)))]);
        Assert.Contains("proposals: no bottleneck found", TextRenderer.Render(quiet));
        Assert.Contains("no bottleneck found", HtmlRenderer.Render(quiet));
    }

    [Fact]
    public void APeakReportShowsTheAnalysisOfItsFirstFailingStepAfterAWriteAndARead()
    {
        using var dir = new TempDir();
        var step = NotReading();
        var analysis = BottleneckAnalyzer.Analyze(step, ServerFigures.Of(step));
        var peak = new ResultsDocument { Kind = "peak", StartedAt = step.StartedAt, EndedAt = step.EndedAt, Machine = step.Machine };
        peak.SetSection(StepAnalysisSection.Name, StepAnalysisSection.Of(new PeakStepRecord { Rate = 300, Outcome = "fail-latency" },
            analysis));
        var read = ResultsFile.Read(ResultsFile.Write(peak, dir.Path));

        var set = ReportSet.Of([RunReportBuilder.Build(read)]);
        var text = TextRenderer.Render(set);
        Assert.Contains("at the first failing step (300/s, fail-latency):", text);
        Assert.Contains("1. [server-not-reading]", text);
        Assert.Contains("side: ", text);
        Assert.Contains("Bottleneck analysis at the first failing step (300/s, fail-latency)", HtmlRenderer.Render(set));
    }
}
