using System.Diagnostics;
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
        var burst = await CliProcess.RunAsync(Timeout, "burst", "--target", $"127.0.0.1:{port}", "--pki", TestPki.Dir, "--clients", "100",
            "--rate", "50",
            "--connect-timeout", "3s", "--interval", "1s", "--monitor", monitor.Endpoint.ToString(), "--out", dir.Combine("results"));
        Assert.True(File.Exists(burst.LastLine), burst.ToString());
        var r = await CliProcess.RunAsync(Timeout, "analyze", burst.LastLine);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("side: server:", r.Stdout);
        Assert.Contains("accept queue", r.Stdout);
    }

    /// <summary>
    /// The other case: a generator pinned to a core that busy work also wants, against Mosquitto alone on the
    /// other core. The monitor sees a core at 100%, but the server process never used that much of one: the generator's
    /// lag, not the hot core, is what the run shows.
    /// </summary>
    [Fact]
    public async Task AGeneratorPinnedToABusyCoreIsNamedAsTheGeneratorSide()
    {
        Assert.True(Environment.ProcessorCount >= 2, "needs two cores: one for the server, one for the generator and the hog");
        using var dir = new TempDir();
        using var broker = new MosquittoBroker();
        Tool.Run("taskset", "-a", "-p", "-c", "1", broker.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Three spinning threads on core 0: the generator's threads there get a share of it, not the core.
        using var hog = Process.Start(new ProcessStartInfo("taskset")
        {
            ArgumentList = { "-c", "0", "python3", "-c", HogScript },
            UseShellExecute = false,
        })!;
        try
        {
            using var monitor = await MonitorProcess.StartAsync(dir,
                ["--pid", broker.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--port", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--interval", "250ms"]);
            using var burst = CliProcess.Start(["burst", "--target", broker.Target, "--pki", TestPki.Dir, "--clients", "450", "--rate",
                "150",
                "--connect-timeout", "10s", "--duration", "15s", "--interval", "1s", "--monitor", monitor.Endpoint.ToString(), "--out",
                    dir.Combine("results")],
                launcher: ["taskset", "-c", "0"]);
            var done = await burst.WaitAsync(Timeout);
            Assert.True(File.Exists(done.LastLine), done.ToString());
            var r = await CliProcess.RunAsync(Timeout, "analyze", done.LastLine);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.True(r.Stdout.Contains("side: generator:", StringComparison.Ordinal), r.Stdout);
            Assert.Contains("scheduler lag", r.Stdout);
            Assert.Contains("busy with other work", r.Stdout); // the hot core was seen, and not blamed on the server
        }
        finally
        {
            try { hog.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            hog.WaitForExit(5000);
        }
    }

    private const string HogScript = """
        import threading, time
        def spin():
            x = 0
            while True:
                x += 1
        for _ in range(3):
            threading.Thread(target=spin, daemon=True).start()
        time.sleep(120)
        """;
}
