using ConnBurst.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ConnBurst.Tests.Reporting;

/// <summary>connburst demo end to end: real server, monitor and bursts; its report in Chromium; nothing left running.</summary>
public class DemoCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(200);

    [Fact]
    public async Task DemoWritesAReportAPersonCanOpenAndLeavesNoProcessBehind()
    {
        using var dir = new TempDir();
        var r = await CliProcess.RunAsync(Timeout, "demo", "--out", dir.Path, "--clients", "60", "--rate", "30", "--duration", "4s",
            "--peak-steps", "3");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(dir.Combine("demo-report.html"), r.LastLine);
        Assert.Contains("connect latency (total): avg", r.Stdout);
        Assert.Contains("peak: ", r.Stdout);
        Assert.Contains("stopped 2 child process(es)", r.Stderr);
        Assert.Empty(ProcessesMentioning(dir.Path));

        // The report of this small real run, as a person opens it: offline, charts and verdicts visible.
        await using var browser = await ReportBrowser.LaunchAsync();
        var page = await browser.OpenAsync(r.LastLine);
        var verdicts = page.Locator("#verdict");
        Assert.Equal(2, await verdicts.CountAsync()); // the burst and the peak search
        Assert.True(await verdicts.Nth(1).IsVisibleAsync());
        var charts = await page.Locator("figure.chart img").CountAsync();
        Assert.True(charts >= 5,
            $"{charts} charts"); // burst: 4 (CPU included); peak: its own chart, plus latency charts when a step passed
        Assert.Equal(charts, await ReportBrowser.DecodedChartCountAsync(page));
        Assert.Equal(0, browser.BlockedRequests);
        Directory.CreateDirectory(HtmlReportInBrowserTests.ScreenshotDir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HtmlReportInBrowserTests.ScreenshotDir,
            "demo-report.png"), FullPage = true }).WaitAsync(Timeout);
    }

    [Fact]
    public async Task CtrlCStopsEveryProcessTheDemoStarted()
    {
        using var dir = new TempDir();
        using var demo = CliProcess.Start("demo", "--out", dir.Path, "--duration", "60s");
        await demo.WaitForOutputAsync("burst: ", TimeSpan.FromSeconds(120)); // server and monitor are up
        Assert.Equal(2, ProcessesMentioning(dir.Path).Count);
        demo.Interrupt();
        var r = await demo.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains("stopped 2 child process(es)", r.Stderr);
        Assert.Empty(ProcessesMentioning(dir.Path));
    }

    /// <summary>Live processes (other than the demo itself) whose command line names <paramref name="dir"/>: the demo's children.</summary>
    private static List<int> ProcessesMentioning(string dir)
    {
        var found = new List<int>();
        foreach (var proc in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var cmd = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                if (cmd.Contains(dir, StringComparison.Ordinal) && !cmd.Contains(" demo ", StringComparison.Ordinal)) found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }
}
