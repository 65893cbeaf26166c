using ConnBurst.Common;
using ConnBurst.Export;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tests.Monitor;

namespace ConnBurst.Tests.Export;

/// <summary>Exports into Debian's real carbon-cache and reads the whisper files it wrote.</summary>
public sealed class CarbonGraphiteTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TheMonitorsSamplesLandInCarbonWhisperFiles()
    {
        Assert.True(File.Exists(CarbonCache.Executable),
            "graphite-carbon is not installed: run ./test.sh as root, or apt-get install graphite-carbon");
        using var dir = new TempDir();
        using var carbon = await CarbonCache.StartAsync(dir);
        using var busy = await BusyProcess.StartAsync(spin: true);
        var root = "cbtest" + Random.Shared.Next(100_000, 999_999) + ".srv";
        var prefix = $"{root}.connburst.monitor.{ConnBurst.Monitor.SystemSampler.MetricName(Environment.MachineName)}";
        var from = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 2;

        using var monitor = await MonitorProcess.StartAsync(dir,
            ["--graphite", $"127.0.0.1:{carbon.LinePort}", "--graphite-root", root, "--interval", "250ms", "--process", busy.Name]);

        var totalBusy = await carbon.WaitForValuesAsync($"{prefix}.cpu.total.busy", from, Wait);
        Assert.All(totalBusy, v => Assert.InRange(v, 0, 100));
        Assert.NotEmpty(await carbon.WaitForValuesAsync($"{prefix}.cpu.cpu0.busy", from, Wait));
        Assert.NotEmpty(await carbon.WaitForValuesAsync($"{prefix}.cpu.cpu0.iowait", from, Wait));
        var mem = await carbon.WaitForValuesAsync($"{prefix}.mem.usedMiB", from, Wait);
        Assert.All(mem, v => Assert.True(v > 0));
        Assert.NotEmpty(await carbon.WaitForValuesAsync($"{prefix}.net.lo.rxBytesPerSec", from, Wait));
        Assert.NotEmpty(await carbon.WaitForValuesAsync($"{prefix}.load.load1", from, Wait));
        var procCpu = await carbon.WaitForValuesAsync($"{prefix}.process.cpuPercent", from, Wait);
        Assert.Contains(procCpu, v => v > 5);
        Assert.NotEmpty(await carbon.WaitForValuesAsync($"{prefix}.process.rssMiB", from, Wait));

        monitor.Process.Interrupt();
        var result = await monitor.Process.WaitAsync(Wait);
        Assert.Equal(130, result.ExitCode);
        Assert.Contains($"graphite 127.0.0.1:{carbon.LinePort}:", result.Stdout);
    }

    [Fact]
    public async Task LoadGeneratorStyleMetricsFromTheExporterLandInCarbon()
    {
        Assert.True(File.Exists(CarbonCache.Executable), "graphite-carbon is not installed");
        using var dir = new TempDir();
        using var carbon = await CarbonCache.StartAsync(dir);
        var root = "cbroot" + Random.Shared.Next(100_000, 999_999);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        await using (var exporter = new GraphitePlaintextExporter(new HostPort("127.0.0.1", carbon.LinePort)))
        {
            for (var s = 0; s < 3; s++)
            {
                exporter.Enqueue([new($"{root}.connburst.agent1.CON", 1000 + s), new($"{root}.connburst.agent1.ConnLat_99P", 12.5 + s)],
                    now - 2 + s);
            }
            Assert.True(await exporter.DrainAsync(Wait));
        }
        var con = await carbon.WaitForValuesAsync($"{root}.connburst.agent1.CON", now - 5, Wait);
        var lat = await carbon.WaitForValuesAsync($"{root}.connburst.agent1.ConnLat_99P", now - 5, Wait);
        // carbon may flush a file before every point has reached it; the stored points are exactly the ones sent.
        Assert.All(con, v => Assert.Contains(v, new[] { 1000.0, 1001, 1002 }));
        Assert.All(lat, v => Assert.Contains(v, new[] { 12.5, 13.5, 14.5 }));
    }
}
