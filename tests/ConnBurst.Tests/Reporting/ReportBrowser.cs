using Microsoft.Playwright;

namespace ConnBurst.Tests.Reporting;

/// <summary>
/// Debian's headless Chromium driven by Playwright (no Playwright browser download: ExecutablePath is the distro's
/// binary), with a fresh profile and the network cut off twice over: the context is offline and every request that is
/// not file:// is aborted and counted, so a report that reaches for the network fails its test.
/// </summary>
public sealed class ReportBrowser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly IPlaywright _playwright;
    private readonly IBrowserContext _context;
    private readonly string _profile;
    private int _blocked;

    private ReportBrowser(IPlaywright playwright, IBrowserContext context, string profile)
    {
        _playwright = playwright;
        _context = context;
        _profile = profile;
    }

    /// <summary>Requests the page tried to make off the file system (all aborted).</summary>
    public int BlockedRequests => Volatile.Read(ref _blocked);

    public static async Task<ReportBrowser> LaunchAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var profile = Path.Combine(Path.GetTempPath(), "connburst-chromium-" + Guid.NewGuid().ToString("N")[..12]);
        var playwright = await Playwright.CreateAsync().WaitAsync(Limit);
        var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Offline = true,
            ViewportSize = new ViewportSize { Width = 1100, Height = 900 },
            Timeout = (float)Limit.TotalMilliseconds,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        }).WaitAsync(Limit);
        var browser = new ReportBrowser(playwright, context, profile);
        await context.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith("file:", StringComparison.Ordinal)
                || route.Request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
            }
            else
            {
                Interlocked.Increment(ref browser._blocked);
                await route.AbortAsync();
            }
        }).WaitAsync(Limit);
        return browser;
    }

    public async Task<IPage> OpenAsync(string htmlPath)
    {
        var page = await _context.NewPageAsync().WaitAsync(Limit);
        page.SetDefaultTimeout((float)Limit.TotalMilliseconds);
        await page.GotoAsync(new Uri(htmlPath).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load }).WaitAsync(Limit);
        return page;
    }

    /// <summary>True when every chart image on the page decoded (complete, with a natural width).</summary>
    public static async Task<int> DecodedChartCountAsync(IPage page) =>
        await page.EvaluateAsync<int>(
            "() => Array.from(document.querySelectorAll('figure.chart img')).filter(i => i.complete && i.naturalWidth > 0).length")
            .WaitAsync(Limit);

    public async ValueTask DisposeAsync()
    {
        try { await _context.CloseAsync().WaitAsync(Limit); } catch (Exception e) when (e is PlaywrightException or TimeoutException) { }
        _playwright.Dispose();
        try { Directory.Delete(_profile, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>The verdict banner and every chart are visible, and every chart image decoded.</summary>
    public static async Task AssertReportVisibleAsync(IPage page, int expectedCharts)
    {
        var verdict = page.Locator("#verdict").First;
        Assert.True(await verdict.IsVisibleAsync(), "the verdict banner is not visible");
        Assert.StartsWith("Verdict:", (await verdict.InnerTextAsync()).Trim());
        var charts = page.Locator("figure.chart img");
        Assert.Equal(expectedCharts, await charts.CountAsync());
        for (var i = 0; i < expectedCharts; i++) Assert.True(await charts.Nth(i).IsVisibleAsync(), $"chart {i} is not visible");
        Assert.Equal(expectedCharts, await DecodedChartCountAsync(page));
    }
}
