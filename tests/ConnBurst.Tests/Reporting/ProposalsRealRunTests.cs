using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tests.Monitor;
using ConnBurst.Tests.Servers;

namespace ConnBurst.Tests.Reporting;

/// <summary>
/// The analysis's proposals on real runs against real peers: a CPU-bound serve mqtt, a saturated single-threaded Mosquitto, a
/// generator starved of CPU, a server with a tiny listen backlog. Each asserts the proposal the evidence points to, with its
/// figures and command, as `analyze --json` gives it.
/// </summary>
public class ProposalsRealRunTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    /// <summary>
    /// serve mqtt on core 1 with an RSA-2048 PKI, sharing that core with four spinning processes, offered more full handshakes
    /// than its fifth of a core signs: the key-type proposal, with the RSA/ECDSA sign costs measured on the spot through
    /// libcrypto and set against the run's CPU per connect. (Alone on its core, serve mqtt kept up with what a generator on the
    /// other core offered on a faster machine: the spinners make the server the side behind on any machine.)
    /// </summary>
    [Fact]
    public async Task ACpuBoundServeMqttGetsTheKeyTypeProposal()
    {
        Assert.True(Environment.ProcessorCount >= 2, "needs two cores: one for the server, one for the generator");
        using var dir = new TempDir();
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir);
        Pin(server.Process.Pid, "1");
        using var hog = Spinners(core: "1", count: 4, seconds: 150);
        // The generator at a higher priority than anything beside it, so a CPU hog on its core (stress-ng) does not make it
        // the side behind: the test is about the server.
        var proposals = await BurstAndAnalyzeAsync(dir, server.Process.Pid, server.Port, $"127.0.0.1:{server.Port}", clients: 5000,
            rate: 1000,
            launcher: ["taskset", "-c", "0", "nice", "-n", "-10"],
            timeout: "60s");
        var key = Find(proposals, "ecdsa-server-key");
        Assert.Contains(Evidence(key), e => e.Contains("the server key is RSA-2048", StringComparison.Ordinal));
        Assert.Contains(Evidence(key), e => e.Contains("µs with RSA-2048", StringComparison.Ordinal)
            && e.Contains("measured now on this machine through libcrypto", StringComparison.Ordinal)
            && e.Contains("of the server's CPU per connect", StringComparison.Ordinal));
        Assert.Contains("connburst certs --key ecdsa-p256", key["command"]!.GetValue<string>());
    }

    /// <summary>Mosquitto does its TLS work on its one thread: saturated on core 1, it gets the threads proposal.</summary>
    [Fact]
    public async Task AMosquittoSaturatedOnItsOneThreadGetsTheThreadsProposal()
    {
        Assert.True(Environment.ProcessorCount >= 2, "needs two cores: one for the server, one for the generator");
        using var dir = new TempDir();
        using var broker = new MosquittoBroker();
        Pin(broker.Pid, "1");
        var proposals = await BurstAndAnalyzeAsync(dir, broker.Pid, broker.Port, broker.Target, clients: 4000, rate: 1200);
        var threads = Find(proposals, "server-threads");
        Assert.Contains(Evidence(threads), e => e.Contains("busiest server thread mosquitto", StringComparison.Ordinal));
        Assert.Contains(Evidence(threads), e => e.Contains("the machine has", StringComparison.Ordinal) && e.Contains("idle",
            StringComparison.Ordinal));
        Assert.Contains("serve mqtt --workers", threads["command"]!.GetValue<string>());
    }

    /// <summary>
    /// The generator pinned to core 0 at nice 19, and eight spinning processes started there once it runs: it gets a few percent of
    /// a core for the 6 s of its schedule, against Mosquitto on core 1. More agents, with the number the measured CPU per attempt
    /// implies. The spinners stop after 12 s so the generator can finish and write its results.
    /// </summary>
    [Fact]
    public async Task AStarvedGeneratorGetsTheAgentsProposal()
    {
        Assert.True(Environment.ProcessorCount >= 2, "needs two cores: one for the server, one for the generator and the hog");
        using var dir = new TempDir();
        using var broker = new MosquittoBroker();
        Pin(broker.Pid, "1");
        Spinning? hog = null;
        try
        {
            var analysis = await BurstAndAnalyzeAsync(dir, broker.Pid, broker.Port, broker.Target, clients: 900, rate: 150,
                extra: ["--duration", "15s"], launcher: ["taskset", "-c", "0", "nice", "-n", "19"],
                onStarted: () => hog = Spinners(core: "0", count: 8, seconds: 12));
            var agents = Find(analysis, "more-agents");
            Assert.Matches(@"^spread the load over \d+ agents", agents["change"]!.GetValue<string>());
            Assert.Contains(Evidence(agents), e => e.Contains("ms per attempt: the offered 150/s needs", StringComparison.Ordinal));
            Assert.Matches(@"--shard I/\d+", agents["command"]!.GetValue<string>());
        }
        finally
        {
            hog?.Dispose();
        }
    }

    /// <summary>
    /// serve mqtt with a listen backlog of 4 that accepts at most 50 connections a second, offered 150 a second: the accept
    /// queue fills, the kernel drops the rest, and the backlog proposal names the backlog and somaxconn as read from the machine.
    /// </summary>
    [Fact]
    public async Task ATinyListenBacklogGetsTheBacklogProposal()
    {
        using var dir = new TempDir();
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--backlog", "4", "--max-accept-rate", "50");
        var somaxconn = File.ReadAllText("/proc/sys/net/core/somaxconn").Trim();
        var proposals = await BurstAndAnalyzeAsync(dir, server.Process.Pid, server.Port, $"127.0.0.1:{server.Port}", clients: 400,
            rate: 150,
            launcher: []);
        var backlog = Find(proposals, "listen-backlog");
        Assert.Contains(Evidence(backlog), e => e.Contains("of a listen backlog of 4", StringComparison.Ordinal)
            || e.Contains("ListenOverflows +", StringComparison.Ordinal));
        Assert.Contains(Evidence(backlog), e => e.Contains("listen backlog 4,", StringComparison.Ordinal)
            && e.Contains($"net.core.somaxconn {somaxconn}", StringComparison.Ordinal));
        Assert.Contains("--backlog", backlog["command"]!.GetValue<string>());
    }

    /// <summary>
    /// The same server with its default backlog, offered what it easily takes (20 connects at 10/s): none of the server's
    /// proposals, since none of their evidence is there. (The generator's may still come on a machine other work keeps busy.)
    /// </summary>
    [Fact]
    public async Task AGentleRunAgainstServeMqttGetsNoServerProposal()
    {
        using var dir = new TempDir();
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir);
        var analysis = await BurstAndAnalyzeAsync(dir, server.Process.Pid, server.Port, $"127.0.0.1:{server.Port}", clients: 20, rate: 10,
            launcher: []);
        var ids = analysis["proposals"]!.AsArray().Select(p => p!["id"]!.GetValue<string>()).ToList();
        Assert.True(!ids.Intersect(["listen-backlog", "ecdsa-server-key", "server-threads", "server-not-reading",
            "memory-per-connection"]).Any(),
            analysis.ToJsonString());
    }

    /// <summary>A monitor on the server's pid and port, a burst through it (run by <paramref name="launcher"/>, by default on core 0;
    /// <paramref name="onStarted"/> once it has started), then analyze --json's claims and
    /// proposals.</summary>
    private static async Task<JsonNode> BurstAndAnalyzeAsync(TempDir dir, int pid, int port, string target, int clients, int rate,
        IEnumerable<string>? extra = null, IReadOnlyList<string>? launcher = null, string timeout = "10s", Action? onStarted = null)
    {
        using var monitor = await MonitorProcess.StartAsync(dir,
            ["--pid", pid.ToString(CultureInfo.InvariantCulture), "--port", port.ToString(CultureInfo.InvariantCulture), "--interval",
                "250ms"]);
        using var burst = CliProcess.Start(["burst", "--target", target, "--pki", TestPki.Dir, "--clients",
            clients.ToString(CultureInfo.InvariantCulture),
            "--rate", rate.ToString(CultureInfo.InvariantCulture), "--connect-timeout", timeout, "--interval", "1s", "--monitor",
                monitor.Endpoint.ToString(),
            "--out", dir.Combine("results"), .. extra ?? []],
            launcher: launcher ?? ["taskset", "-c", "0"]);
        if (onStarted is not null)
        {
            await burst.WaitForOutputAsync("burst: ", Timeout);
            onStarted();
        }
        var done = await burst.WaitAsync(Timeout);
        Assert.True(File.Exists(done.LastLine), done.ToString());
        var r = await CliProcess.RunAsync(Timeout, "analyze", "--json", done.LastLine);
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonNode.Parse(r.Stdout)!;
    }

    /// <summary>The proposal with that id; failing, the whole analysis (claims too) says why there was none.</summary>
    private static JsonObject Find(JsonNode analysis, string id) =>
        analysis["proposals"]!.AsArray().OfType<JsonObject>().FirstOrDefault(p => p["id"]?.GetValue<string>() == id)
        ?? throw new Xunit.Sdk.XunitException($"no {id} proposal in the analysis: {analysis.ToJsonString()}");

    private static List<string> Evidence(JsonObject proposal) =>
        proposal["evidence"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();

    /// <summary><paramref name="count"/> spinning processes on <paramref name="core"/> for at most
    /// <paramref name="seconds"/>, killed with their parent when disposed.</summary>
    private static Spinning Spinners(string core, int count, int seconds) =>
        new(Process.Start(new ProcessStartInfo("taskset")
        {
            ArgumentList = { "-c", core, "python3", "-c", HogScript, count.ToString(CultureInfo.InvariantCulture),
                seconds.ToString(CultureInfo.InvariantCulture) },
            UseShellExecute = false,
        })!);

    private sealed class Spinning(Process process) : IDisposable
    {
        public void Dispose()
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit(5000);
            process.Dispose();
        }
    }

    private static void Pin(int pid, string cores) =>
        Tool.Run("taskset", "-a", "-p", "-c", cores, pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>N spinning processes for S seconds (threads would share Python's one interpreter lock: one spinner at a time),
    /// ended with their parent.</summary>
    private const string HogScript = """
        import multiprocessing, sys, time
        def spin():
            x = 0
            while True:
                x += 1
        if __name__ == "__main__":
            for _ in range(int(sys.argv[1])):
                multiprocessing.Process(target=spin, daemon=True).start()
            time.sleep(int(sys.argv[2]))
        """;
}
