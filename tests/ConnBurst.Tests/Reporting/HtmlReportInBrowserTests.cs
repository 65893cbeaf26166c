using ConnBurst.Reporting;
using ConnBurst.Tests.Infrastructure;
using Microsoft.Playwright;
using ConnBurst.Results;

namespace ConnBurst.Tests.Reporting;

/// <summary>The HTML report as a person sees it: opened in headless Chromium with the network disabled.</summary>
public class HtmlReportInBrowserTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Screenshots land here so a person (or a CI artifact step) can look at them.</summary>
    public static string ScreenshotDir { get; } = Path.Combine(Path.GetTempPath(), "connburst-report-screenshots");

    [Fact]
    public async Task ReportOpensOfflineWithChartsAndVerdictVisible()
    {
        using var dir = new TempDir();
        var results = ResultsFile.Write(SampleResults.Burst(failed: 4).WithServer(SampleResults.Server()), dir.Path, "burst-sample.json");
        var report = await CliProcess.RunAsync(Timeout, "report", results, "--html", dir.Combine("report.html"));
        Assert.True(report.ExitCode == 0, report.ToString());

        await using var browser = await ReportBrowser.LaunchAsync();
        var page = await browser.OpenAsync(report.LastLine);
        await ReportBrowser.AssertReportVisibleAsync(page, expectedCharts: 4);
        Assert.Equal(0, browser.BlockedRequests);
        Directory.CreateDirectory(ScreenshotDir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, "report-sample.png"), FullPage = true })
            .WaitAsync(Timeout);
    }

    [Fact]
    public async Task APageThatReachesForTheNetworkIsCaught()
    {
        using var dir = new TempDir();
        var html = dir.Combine("leaky.html");
        File.WriteAllText(html, "<html><body><img src=\"http://192.0.2.1/x.png\"><p id=\"verdict\">x</p></body></html>");
        await using var browser = await ReportBrowser.LaunchAsync();
        await browser.OpenAsync(html);
        Assert.True(browser.BlockedRequests >= 1);
    }
}
