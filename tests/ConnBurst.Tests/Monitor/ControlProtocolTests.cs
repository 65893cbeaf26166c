using System.Text.Json.Nodes;
using ConnBurst.Monitor;
using ConnBurst.Reporting;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Results;

namespace ConnBurst.Tests.Monitor;

/// <summary>The control protocol against a real monitor process: START/STOP/STATUS/SUMMARY, refusals, auth, and the no-STOP
/// timeout.</summary>
public sealed class ControlProtocolTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ClientStartStopWritesSeedFilesAndReturnsTheSummary()
    {
        using var dir = new TempDir();
        using var monitor = await MonitorProcess.StartAsync(dir, ["--interval", "250ms"]);
        await using var client = await MonitorClient.ConnectAsync(monitor.Endpoint, token: null, timeout: Wait);

        await client.StartAsync("client test");
        Assert.StartsWith("recording", await client.StatusAsync());
        await MonitorProcess.WaitForSamplesAsync(() => client.StatusAsync(), 4, Wait);
        var summary = await client.StopAsync();

        Assert.Equal("client test", summary.Label);
        Assert.Equal("completed", summary.Outcome);
        Assert.True(summary.Samples >= 3, $"samples {summary.Samples}");
        Assert.Equal(Environment.ProcessorCount, summary.Cpu.Cores);
        Assert.Equal(summary.Cpu.Cores, summary.Cpu.PerCore.Count);
        Assert.InRange(summary.Cpu.TotalAvgBusy, 0, 100);
        Assert.True(summary.Memory.TotalMiB > 0);
        Assert.Matches(@"server_cpu_results_\d{8}_\d{6}\.txt$", summary.Files["txt"]);
        Assert.Matches(@"server_cpu_usage_\d{8}_\d{6}\.png$", summary.Files["png"]);
        foreach (var f in summary.Files.Values) Assert.True(File.Exists(f), f);

        var doc = ResultsFile.Read(summary.Files["json"]);
        Assert.Equal("monitor", doc.Kind);
        var busy = doc.Section("monitor")!["series"]!["cpu"]!["cpu0"]!["busy"]!.AsArray();
        Assert.Equal(summary.Samples, busy.Count);
        Assert.StartsWith("idle last=client test", await client.StatusAsync());
    }

    [Fact]
    public async Task SecondStartIsRefusedAndMalformedLinesGetErrWithoutStoppingTheMonitor()
    {
        using var dir = new TempDir();
        using var monitor = await MonitorProcess.StartAsync(dir, ["--interval", "250ms"]);
        using var raw = await monitor.ConnectRawAsync();

        Assert.StartsWith("ERR no recording", await raw.SendAsync("SUMMARY"));
        Assert.StartsWith("ERR not recording", await raw.SendAsync("STOP"));
        Assert.Equal("OK started first", await raw.SendAsync("START first"));
        var second = await raw.SendAsync("START second");
        Assert.StartsWith("ERR already recording 'first'", second);

        Assert.StartsWith("ERR unknown command", await raw.SendAsync("FROBNICATE now"));
        Assert.StartsWith("ERR empty line", await raw.SendAsync(""));
        Assert.StartsWith("ERR unknown command", await raw.SendAsync("\u0001\u0002\u00ff garbage"));
        Assert.StartsWith("ERR line too long", await raw.SendAsync(new string('x', 5000)));
        await raw.SendBytesAsync([0xff, 0xfe, 0x00, (byte)'\n']);
        Assert.StartsWith("ERR", await raw.ReadLineAsync());

        // A second client that vanishes mid-line changes nothing.
        using (var rude = await monitor.ConnectRawAsync()) await rude.SendBytesAsync("STA"u8.ToArray());

        Assert.StartsWith("OK recording", await raw.SendAsync("status"));
        await MonitorProcess.WaitForSamplesAsync(() => raw.SendAsync("status"), 2, Wait);
        Assert.StartsWith("OK stopped", await raw.SendAsync("STOP"));
        var summary = MonitorSummary.Parse(await raw.SendAsync("SUMMARY"));
        Assert.Equal("first", summary.Label);
        Assert.Equal("OK pong", await raw.SendAsync("PING"));
        Assert.Equal("OK bye", await raw.SendAsync("QUIT"));
        Assert.False(monitor.Process.HasExited);
    }

    [Fact]
    public async Task WithATokenStartIsRefusedUntilAuth()
    {
        using var dir = new TempDir();
        using var monitor = await MonitorProcess.StartAsync(dir, ["--interval", "250ms"], new Dictionary<string,
            string> { [MonitorClient.TokenVariable] = "s3cret" });
        using var raw = await monitor.ConnectRawAsync();

        Assert.StartsWith("ERR authentication required", await raw.SendAsync("START sneaky"));
        Assert.StartsWith("ERR authentication required", await raw.SendAsync("STATUS"));
        Assert.StartsWith("ERR authentication failed", await raw.SendAsync("AUTH wrong"));
        Assert.StartsWith("ERR authentication required", await raw.SendAsync("START sneaky"));
        Assert.Equal("OK authenticated", await raw.SendAsync("AUTH s3cret"));
        Assert.Equal("OK idle", await raw.SendAsync("STATUS"));

        // The client authenticates with the token it is given.
        await Assert.ThrowsAsync<MonitorClientException>(async () =>
        {
            await using var bad = await MonitorClient.ConnectAsync(monitor.Endpoint, token: "nope", timeout: Wait);
        });
        await using var client = await MonitorClient.ConnectAsync(monitor.Endpoint, token: "s3cret", timeout: Wait);
        await client.StartAsync("authed");
        await MonitorProcess.WaitForSamplesAsync(() => client.StatusAsync(), 2, Wait);
        var summary = await client.StopAsync();
        Assert.Equal("authed", summary.Label);
        Assert.DoesNotContain("s3cret", File.ReadAllText(summary.Files["json"]));
    }

    [Fact]
    public async Task ARecordingWithoutStopIsWrittenAfterMaxRecording()
    {
        using var dir = new TempDir();
        using var monitor = await MonitorProcess.StartAsync(dir, ["--interval", "250ms", "--max-recording", "2s"]);
        using (var raw = await monitor.ConnectRawAsync())
            Assert.Equal("OK started orphan", await raw.SendAsync("START orphan"));
        // The tester is gone; the monitor ends the recording by itself.
        await monitor.Process.WaitForOutputAsync("recording 'orphan' timeout", Wait);

        var json = Directory.GetFiles(monitor.ResultsDir, "monitor-*.json").Single();
        var doc = ResultsFile.Read(json);
        Assert.Equal("timeout", doc.Outcome);
        Assert.Single(Directory.GetFiles(monitor.ResultsDir, "server_cpu_results_*.txt"));
        Assert.Single(Directory.GetFiles(monitor.ResultsDir, "server_cpu_usage_*.png"));
        Assert.True(doc.Section("monitor")!["samples"]!.GetValue<int>() >= 1); // it recorded until the timeout ended it

        using var again = await monitor.ConnectRawAsync();
        Assert.StartsWith("OK idle last=orphan", await again.SendAsync("STATUS"));
        Assert.Equal("OK started next", await again.SendAsync("START next"));
    }

    [Fact]
    public async Task CtrlCWritesTheRecordingInProgressAndPrintsItsPathLast()
    {
        using var dir = new TempDir();
        using var monitor = await MonitorProcess.StartAsync(dir, ["--interval", "250ms"]);
        using (var raw = await monitor.ConnectRawAsync())
        {
            Assert.StartsWith("OK started", await raw.SendAsync("START cut short"));
            await MonitorProcess.WaitForSamplesAsync(() => raw.SendAsync("status"), 2, Wait);
        }
        monitor.Process.Interrupt();
        var result = await monitor.Process.WaitAsync(Wait);

        Assert.Equal(0, result.ExitCode);
        Assert.EndsWith(".json", result.LastLine);
        var doc = ResultsFile.Read(result.LastLine);
        Assert.Equal("interrupted", doc.Outcome);
        Assert.Equal("cut short", doc.Section("monitor")!["label"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenToTheNetworkWithoutATokenWarnsLoudly()
    {
        using var dir = new TempDir();
        using var p = CliProcess.Start("monitor", "--listen", "0.0.0.0:0", "--results", dir.Combine("r"));
        await p.WaitForOutputAsync("listening on", MonitorProcess.StartTimeout);
        Assert.Contains("WARNING", p.Stderr);
        Assert.Contains("WITHOUT a token", p.Stderr);
    }

    [Theory]
    [InlineData("--interval", "fast", "--interval")]
    [InlineData("--interval", "10ms", "--interval")]
    [InlineData("--listen", "127.0.0.1:99999", "--listen")]
    [InlineData("--pid", "999999999", "--pid")]
    [InlineData("--port", "70000", "--port")]
    public async Task BadOptionsExitTwoWithOneLine(string option, string value, string named)
    {
        var r = await CliProcess.RunAsync(Wait, "monitor", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(named, r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}
