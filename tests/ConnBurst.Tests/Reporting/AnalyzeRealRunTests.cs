using System.Net;
using System.Net.Sockets;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tests.Monitor;

namespace ConnBurst.Tests.Reporting;

/// <summary>analyze over results of real runs: a real burst, the real monitor, a real socket that stops reading.</summary>
public class AnalyzeRealRunTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task AServerThatStopsReadingIsNamedAsTheBottleneckSide()
    {
        using var dir = new TempDir();
        // A "server" that listens and then neither accepts nor reads: every ClientHello waits in its queues.
        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        stalled.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        stalled.Listen(512);
        var port = ((IPEndPoint)stalled.LocalEndPoint!).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var monitor = await MonitorProcess.StartAsync(dir, ["--port", port, "--interval", "250ms"]);
        var burst = await CliProcess.RunAsync(Timeout, "burst", "--target", $"127.0.0.1:{port}", "--pki", TestPki.Dir, "--clients", "100", "--rate", "50",
            "--timeout", "3s", "--snapshot", "1s", "--monitor", monitor.Endpoint.ToString(), "--results", dir.Combine("results"));
        Assert.True(File.Exists(burst.LastLine), burst.ToString());
        var r = await CliProcess.RunAsync(Timeout, "analyze", burst.LastLine);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("side: server:", r.Stdout);
        Assert.Contains("accept queue", r.Stdout);
    }
}
