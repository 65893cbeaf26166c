using ConnBurst.Reporting;
using ConnBurst.Reporting.Chat;
using ConnBurst.Reporting.Renderers;
using ConnBurst.Reporting.Sections;
using ConnBurst.Reporting.Tables;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Reporting;

/// <summary>One table model: a figure prints the same wherever it shows, and text tables line up.</summary>
public class TablesTests
{
    [Fact]
    public void ALatencyPrintsTheSameInTheTextSummaryTheHtmlPageAndTheChatFile()
    {
        var doc = SampleResults.Burst();
        var p99 = LatencyTable.P99.Text(doc.Latency["total"].P99);
        var set = ReportSet.Of([RunReportBuilder.Build(doc)]);
        var textRow = TextRenderer.Render(set).Split('\n').Single(l => l.TrimStart().StartsWith("total ", StringComparison.Ordinal));
        Assert.Contains($" {p99} ", textRow + " ");
        Assert.Contains($"<td class=\"num\">{p99}</td>", HtmlRenderer.Render(set));

        var chat = ConnBurst.Tests.Chat.ChatReportTests.Synthetic("tls13", 2);
        var roundTripP99 = LatencyTable.P99.Text(chat.Latency["roundtrip"].P99);
        var chatRow = ChatTextReport.Render(chat).Split('\n')
            .Single(l => l.TrimStart().StartsWith("round trip ", StringComparison.Ordinal));
        Assert.Contains($" {roundTripP99} ", chatRow + " ");
    }

    [Fact]
    public void FiguresHaveOneFormatPerKindAndMissingOnesSaySo()
    {
        Assert.Equal("12.346", LatencyTable.Avg.Text(12.3456));
        Assert.Equal("1000000", LatencyTable.Count.Text(1_000_000));
        Assert.Equal("85.0", PeakStepsTable.BusiestCore.Text(85));
        Assert.Equal("n/a", PeakStepsTable.BusiestCore.Text(new Cell(null, null)));
    }

    [Fact]
    public void PeakStepsPrintedOneAtATimeLineUpUnderTheHeader()
    {
        var steps = new[]
        {
            new PeakStepRecord { Rate = 100, AvgLatencyMs = 3.2, P99LatencyMs = 9.9, MaxCoreBusy = 40, Attempted = 400, Connected = 400,
                Outcome = "pass" },
            new PeakStepRecord { Rate = 12_800, AvgLatencyMs = 1234.5, MaxCoreBusy = null, Attempted = 51_200, Connected = 50_000,
                Failed = 1_200, Outcome = "fail-latency", Note = "slow" },
        };
        var header = TextTable.Header(PeakStepsTable.Of([]), "  ");
        var rows = steps.Select((s, i) => TextTable.Row(PeakStepsTable.Of([s], i + 1), 0, "  ")).ToList();
        Assert.Equal(TextTable.Render(PeakStepsTable.Of(steps), "  "),
            string.Join(Environment.NewLine, [header, .. rows]) + Environment.NewLine);
        var outcomeAt = header.IndexOf("outcome", StringComparison.Ordinal);
        Assert.All(rows, r => Assert.Equal(' ', r[outcomeAt - 1]));
        Assert.Equal("fail-latency (slow)", rows[1][outcomeAt..]);
        Assert.Contains(" n/a ", rows[1]); // no monitor: the busiest core is not known
    }

    [Fact]
    public void TheOverallVerdictComesFromRolesNotNames()
    {
        var met = RunReportBuilder.Build(SampleResults.Burst(failed: 3).WithServer(SampleResults.Server()));
        Assert.True(met.Overall.SloMet);
        Assert.True(met.Overall.AnyFailed); // the errors check failed, the SLO did not
        Assert.Equal("SLO met", met.Overall.SloText);

        var unjudged = Verdicts.Overall([new Verdict("outcome", true, "run completed", VerdictRole.Outcome),
            new Verdict("latency", null, "no latency", VerdictRole.Slo)], null);
        Assert.Null(unjudged.SloMet);
        Assert.Equal("no latency", unjudged.Headline); // a passing outcome is not news
    }

    [Fact]
    public void TheChatBenchmarksRenderersWriteNothingForOtherRuns()
    {
        using var dir = new TempDir();
        var set = ReportSet.Of([RunReportBuilder.Build(SampleResults.Burst())]);
        var outcomes = new CompositeRenderer([new ChatTextReport(), new ChatPerformanceChart()])
            .Write(set, new ReportOutput(dir.Path, "x"));
        Assert.All(outcomes, o => Assert.Null(o.Error));
        Assert.All(outcomes, o => Assert.Empty(o.Files));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
