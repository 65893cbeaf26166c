using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConnBurst.Monitor;
using ConnBurst.Reporting;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Results;

namespace ConnBurst.Tests.Monitor;

/// <summary>What the issue says the monitor must show: a watched busy process's threads, and the socket queue of a server that stops
/// reading.</summary>
public sealed partial class MonitorRecordingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RecordingABusyProcessWritesSeedFilesAndNamesItsBusyThread()
    {
        using var dir = new TempDir();
        using var busy = await BusyProcess.StartAsync(spin: true, sleepers: 3);
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var port = ((IPEndPoint)server.LocalEndpoint).Port;
        using var monitor = await MonitorProcess.StartAsync(dir,
            ["--process", busy.Name, "--port", port.ToString(), "--interval", "500ms"]);
        await monitor.Process.WaitForOutputAsync($"watching process {busy.Name} (pid {busy.Pid}", Wait);

        using var raw = await monitor.ConnectRawAsync();
        Assert.Equal("OK started busy load", await raw.SendAsync("START busy load"));
        await MonitorProcess.WaitForSamplesAsync(() => raw.SendAsync("STATUS"), 6, Wait); // 3 s at 500 ms
        var stopped = await raw.SendAsync("STOP");
        Assert.StartsWith("OK stopped", stopped);
        var jsonPath = JsonPath().Match(stopped).Groups[1].Value;

        var stamp = Path.GetFileNameWithoutExtension(jsonPath)["monitor-".Length..];
        Assert.Matches(@"^\d{8}_\d{6}$", stamp);
        Assert.True(File.Exists(Path.Combine(monitor.ResultsDir, $"server_cpu_results_{stamp}.txt")));
        Assert.True(File.Exists(Path.Combine(monitor.ResultsDir, $"server_cpu_usage_{stamp}.png")));
        Assert.True(File.Exists(Path.Combine(monitor.ResultsDir, $"server_process_{stamp}.png")));
        Assert.True(new FileInfo(Path.Combine(monitor.ResultsDir, $"server_cpu_usage_{stamp}.png")).Length > 5000);

        var doc = ResultsFile.Read(jsonPath);
        var section = doc.Section("monitor")!;
        var cores = section["cores"]!.GetValue<int>();
        Assert.Equal(Environment.ProcessorCount, cores);
        for (var i = 0; i < cores; i++)
        {
            var busyPct = section["series"]!["cpu"]![$"cpu{i}"]!["busy"]!.AsArray();
            Assert.True(busyPct.Count >= 3, $"cpu{i}: {busyPct.Count} samples");
            Assert.All(busyPct, v => Assert.InRange(v!.GetValue<double>(), 0, 100));
        }
        Assert.True(section["series"]!["cpu"]!["total"]!["busy"]!.AsArray().Count >= 3);
        foreach (var group in new[] { "mem", "net", "disk", "load", "process", "sockets" })
            Assert.NotNull(section["series"]![group]);
        // The socket dump may skip intervals on a busy machine (--socket-budget); every measured one sees the listener.
        var listening = section["series"]!["sockets"]!["listen"]!.AsArray().Where(v => v is not null).Select(v => v!.GetValue<double>())
            .ToList();
        Assert.NotEmpty(listening);
        Assert.All(listening, v => Assert.Equal(1, v));

        var threads = section["threads"]!.AsArray();
        Assert.Equal("busyspinner", threads[0]!["name"]!.GetValue<string>());
        Assert.True(threads[0]!["cpuSeconds"]!.GetValue<double>() > 0.1, threads.ToJsonString());
        Assert.True(threads[0]!["share"]!.GetValue<double>() > 0.5, threads.ToJsonString());
        Assert.Contains(threads, t => t!["name"]!.GetValue<string>() == "sleeper0");

        var summary = MonitorSummary.Parse(await raw.SendAsync("SUMMARY"));
        Assert.Equal(busy.Pid, summary.Process!.Pid);
        Assert.Equal(busy.Name, summary.Process.Name);
        Assert.Equal("busyspinner", summary.Process.BusiestThreads[0].Name);
        Assert.True(summary.Process.CpuAvgPercent > 10, $"process CPU {summary.Process.CpuAvgPercent}%");
        Assert.True(summary.Process.ThreadsMax >= 5);
        Assert.True(summary.Process.RssMiBMax > 1);
        Assert.True(summary.Process.FdsMax >= 3);
        Assert.Contains("busyspinner", File.ReadAllText(summary.Files["threadsTxt"]));
        Assert.Contains("busyspinner", File.ReadAllText(summary.Files["txt"]));
    }

    [Fact]
    public async Task AServerThatStopsReadingShowsAGrowingRecvQ()
    {
        using var dir = new TempDir();
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var port = ((IPEndPoint)server.LocalEndpoint).Port;
        using var monitor = await MonitorProcess.StartAsync(dir,
            ["--port", port.ToString(), "--interval", "250ms", "--socket-budget", "0"]);
        using var raw = await monitor.ConnectRawAsync();

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(Wait);
        using var accepted = await server.AcceptSocketAsync().WaitAsync(Wait); // accepted, and never read
        Assert.StartsWith("OK started", await raw.SendAsync("START not reading"));

        // Bounded: 30 writes of 4 KiB, 100 ms apart (120 KiB over 3 s). A socket that is never read keeps its
        // initial receive buffer (about 128 KB of queue on loopback), so this stays just under it and grows throughout.
        var chunk = new byte[4 * 1024];
        var stream = client.GetStream();
        for (var i = 0; i < 30; i++)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { await stream.WriteAsync(chunk, cts.Token); }
            catch (OperationCanceledException) { break; } // both buffers full: the queue stopped growing, enough
            await Task.Delay(100);
        }
        await MonitorProcess.WaitForSamplesAsync(() => raw.SendAsync("status"), 6, Wait); // a busy machine samples late, not less
        var stopped = await raw.SendAsync("STOP");
        var doc = ResultsFile.Read(JsonPath().Match(stopped).Groups[1].Value);
        var recvQ = doc.Section("monitor")!["series"]!["sockets"]!["recvQSum"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();

        Assert.True(recvQ.Count >= 6, $"{recvQ.Count} samples");
        Assert.True(recvQ[^1] > recvQ[0], $"Recv-Q did not grow: {string.Join(',', recvQ)}");
        Assert.True(recvQ.Max() >= 60 * 1024, $"Recv-Q peaked at {recvQ.Max()}: {string.Join(',', recvQ)}");
        var rises = recvQ.Zip(recvQ.Skip(1)).Count(p => p.Second > p.First);
        Assert.True(rises >= recvQ.Count / 3, $"Recv-Q rose in only {rises} of {recvQ.Count} intervals: {string.Join(',', recvQ)}");

        var summary = MonitorSummary.Parse(await raw.SendAsync("SUMMARY"));
        Assert.Equal(port, summary.Sockets!.Port);
        Assert.Equal("server", summary.Sockets.NotReading);
        Assert.True(summary.Sockets.EstablishedMax >= 1);
        Assert.Equal(recvQ.Max(), summary.Sockets.RecvQSumMax);
    }

    [GeneratedRegex(@"json=(\S+)")]
    private static partial Regex JsonPath();
}
