using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConnBurst.Load;
using ConnBurst.Recording;
using ConnBurst.Results;
using ConnBurst.Reporting.Sections;
using ConnBurst.Tests.Infrastructure;
using HdrHistogram;

namespace ConnBurst.Tests.Scale;

/// <summary>
/// The scale-out proof on one machine (docs/DECISIONS.md, "Scale-out: agents are shards of one plan, merged from the
/// histograms in their results"): three hosts (network namespaces on a bridge, <see cref="NamespaceHosts"/>), a server
/// host running the broker and <c>connburst monitor</c>, two agent hosts running <c>burst --shard 0/2</c> and
/// <c>1/2</c> with one <c>--start-at</c> and their own two <c>--source-ips</c>; then <c>merge</c> with the monitor's
/// results and <c>report</c>. And the seed's troubleshooting case: a firewall on the server host dropping an agent's
/// addresses, or the monitor's port, makes the agent fail fast with one line naming the address and what to check.
/// </summary>
public sealed partial class ThreeHostTests
{
    /// <summary>100 clients per source address; at 100/s the load itself lasts 4 s.</summary>
    private const int Clients = 400;
    private const int Rate = 100;
    private const string Token = "three-hosts-test";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public Task TwoAgentHostsAgainstServeMqttMergeWithTheServersCpu() => RunThreeHostsAsync(mosquitto: false);

    [Fact]
    public Task TwoAgentHostsAgainstMosquittoWithThe10KCrlMergeWithTheServersCpu() => RunThreeHostsAsync(mosquitto: true);

    private static async Task RunThreeHostsAsync(bool mosquitto)
    {
        using var hosts = new NamespaceHosts();
        using var dir = new TempDir();
        var server = hosts.Server;
        MosquittoBroker? broker = null;
        try
        {
            // The server host: the broker, its SYN counters per agent address, and the monitor watching the broker's process.
            int port, serverPid;
            CliProcess? serve = null;
            if (mosquitto)
            {
                broker = new MosquittoBroker(logConnections: true, listenAddress: server.Address, launcher: server.Launcher,
                    canConnect: ep => hosts.CanConnect(hosts.Switch, ep));
                (port, serverPid) = (broker.Port, broker.Pid);
            }
            else
            {
                port = FreePort.Next(); // any port does: the server host has a network of its own
                serve = hosts.Connburst(server, ["serve", "mqtt", "--pki", TestPki.Dir, "--listen", $"{server.Address}:{Str(port)}",
                    "--interval", "1s", "--out", dir.Combine("server")]);
                await serve.WaitForOutputAsync($"listening on {server.Address}:{port}", StartTimeout);
                serverPid = serve.Pid;
            }
            var agentAddresses = hosts.Agents.SelectMany(a => a.Addresses).ToList();
            var syns = hosts.CountSyns(server, port, agentAddresses);
            var monitorEndpoint = await StartMonitorAsync(hosts, dir, serverPid, port);

            // The orchestrator (this test, at the operator's seat on the switch) sends START and STOP, not an agent:
            // agents never talk to each other, and STOP must come after the last one has finished, which no agent knows.
            using var control = await MonitorControl.ConnectAsync(hosts, monitorEndpoint, Token);

            var startAt = DateTimeOffset.UtcNow.AddSeconds(15); // room for both agents' start-up on a busy 2-core machine
            var agents = hosts.Agents.Select((h, i) => hosts.Connburst(h,
            [
                "burst", "--target", $"{server.Address}:{port}", "--server-name", "localhost", "--pki", TestPki.Dir,
                "--clients", Str(Clients), "--rate", Str(Rate), "--connect-timeout", "60s", "--interval", "1s",
                "--shard", $"{i}/2", "--start-at", StartTime.Format(startAt), "--source-ips", h.SourceIps, "--out",
                    dir.Combine($"agent{i}"),
            ])).ToList();
            var untilStart = startAt - TimeSpan.FromSeconds(1) - DateTimeOffset.UtcNow;
            if (untilStart > TimeSpan.Zero) await Task.Delay(untilStart);
            Assert.StartsWith("OK started", await control.SendAsync("START three-hosts"));
            var runs = new List<CliResult>();
            foreach (var a in agents) runs.Add(await a.WaitAsync(RunTimeout));
            var stopped = await control.SendAsync("STOP"); // after the last agent exited
            var monitorJson = JsonPath().Match(stopped) is { Success: true } jm ? jm.Groups[1].Value
                : throw new Xunit.Sdk.XunitException($"STOP: {stopped}");

            Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.ToString()));
            var docs = runs.Select(r => ResultsFile.Read(r.LastLine)).ToList();
            Assert.Equal([Clients / 2, Clients / 2], docs.Select(d => d.Counts.Attempted));
            Assert.All(docs, d => Assert.Equal(StartTime.Format(startAt), d.Section("agent")!["startAt"]!.GetValue<string>()));
            Assert.All(docs, d => Assert.NotNull(d.Section("agent")!["startOffsetMs"]));

            // The server host saw connections from all four agent addresses: SYNs in and SYN-ACKs out, per address,
            // counted by the server host's own kernel (each address carries a quarter of the clients; retransmits only add).
            var seen = syns.Read();
            foreach (var a in agentAddresses)
            {
                Assert.True(seen[a].Syns >= Clients / 4, $"{a}: {seen[a].Syns} SYNs at the server host, expected at least {Clients / 4}");
                Assert.True(seen[a].SynAcks >= Clients / 4,
                    $"{a}: {seen[a].SynAcks} SYN-ACKs from the server host, expected at least {Clients / 4}");
            }
            if (broker is not null)
            {
                // Mosquitto names every peer and client id: the four addresses, and 400 distinct ids none of them taken over.
                var connected = Connected().Matches(broker.Log)
                    .Select(m => (Ip: m.Groups[1].Value, Id: int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();
                Assert.Equal(agentAddresses.Order(), connected.Select(c => c.Ip).Distinct().Order());
                Assert.Equal(Enumerable.Range(0, Clients), connected.Select(c => c.Id).Order());
                Assert.DoesNotContain("already connected", broker.Log);
            }

            // merge: the two agents plus the monitor's results JSON (the server's side).
            var mergedPath = dir.Combine("merged.json");
            var merge = await CliProcess.RunAsync(RunTimeout, "merge", dir.Combine("agent0"), dir.Combine("agent1"), monitorJson,
                "--out-file",
                mergedPath);
            Assert.True(merge.ExitCode == 0, merge.ToString());
            var merged = ResultsFile.Read(merge.LastLine);
            Assert.Equal("completed", merged.Outcome);
            Assert.Equal(Clients, merged.Counts.Attempted);
            Assert.Equal(docs.Sum(d => d.Counts.Attempted), merged.Counts.Attempted);
            Assert.Equal(docs.Sum(d => d.Counts.Connacks), merged.Counts.Connacks);
            Assert.Equal(Clients, merged.Counts.Connacks);
            Assert.Equal(docs.Sum(d => d.Counts.Failed.Values.Sum()), merged.Counts.Failed.Values.Sum());

            // Both agents, each with its own host's addresses.
            var agentFacts = Assert.IsType<JsonArray>(merged.Section("agents")).Select(n => n!.AsObject()).ToList();
            Assert.Equal(["0/2", "1/2"], agentFacts.Select(a => a["shard"]!.GetValue<string>()));
            Assert.Equal(hosts.Agents.Select(h => h.SourceIps), agentFacts.Select(a => a["sourceIps"]!.GetValue<string>()));

            // The server's CPU, from the monitor that watched the broker's process across the whole distributed run.
            var figures = ServerFigures.Of(merged);
            Assert.NotNull(figures);
            Assert.True(figures.Cores > 0 && figures.PerCoreMax.Length == figures.Cores,
                $"cores {figures.Cores}, per-core {figures.PerCoreMax.Length}");
            Assert.True(figures.Samples >= 2, $"{figures.Samples} monitor samples");
            Assert.True(figures.ProcessCpuMax > 0, $"the broker's process CPU: {figures.ProcessCpuMax}");
            Assert.Equal(serverPid, merged.Section("monitor")!["summary"]!["process"]!["pid"]!.GetValue<int>());

            // The merged percentiles equal one histogram of every value both agents recorded, read from their .hlog files.
            var all = new LongHistogram(1, LatencyHistograms.HighestTrackableMicros, LatencyHistograms.SignificantDigits);
            foreach (var d in docs)
            {
                using var hlog = File.OpenRead(d.Section("files")!["hlog"]!.GetValue<string>());
                foreach (var h in new HistogramLogReader(hlog).ReadHistograms().Where(h => h.Tag == "total")) all.Add(h);
            }
            Assert.Equal(Clients, all.TotalCount);
            Assert.Equal(all.GetValueAtPercentile(50) / 1000.0, merged.Latency["total"].P50);
            Assert.Equal(all.GetValueAtPercentile(99) / 1000.0, merged.Latency["total"].P99);

            // report reads the merged file: both agents and the server's CPU are on the page.
            var html = dir.Combine("merged.html");
            var report = await CliProcess.RunAsync(RunTimeout, "report", mergedPath, "--html", html);
            Assert.True(report.ExitCode == 0, report.ToString());
            var page = File.ReadAllText(html);
            Assert.Contains("agents", page);
            Assert.Contains("Server CPU", page, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("server", report.Stdout, StringComparison.OrdinalIgnoreCase);

            if (serve is not null)
            {
                serve.Interrupt();
                var final = await serve.WaitAsync(RunTimeout);
                Assert.True(final.ExitCode == 130, final.ToString());
            }
        }
        finally
        {
            broker?.Dispose();
        }
    }

    /// <summary>
    /// A firewall on the server host: agent 0's addresses dropped altogether, agent 1's only on the monitor's port. Each
    /// agent fails within seconds, exit 2, one line on stderr naming the address and what to check; with the rule
    /// removed, agent 0 runs.
    /// </summary>
    [Fact]
    public async Task ADroppedAgentAndAnUnreachableMonitorFailFastInOneLineNamingTheAddress()
    {
        using var hosts = new NamespaceHosts();
        using var dir = new TempDir();
        var server = hosts.Server;
        var port = FreePort.Next();
        var serve = hosts.Connburst(server, ["serve", "mqtt", "--pki", TestPki.Dir, "--listen", $"{server.Address}:{Str(port)}",
            "--out", dir.Combine("server")]);
        await serve.WaitForOutputAsync($"listening on {server.Address}:{port}", StartTimeout);
        var monitor = await StartMonitorAsync(hosts, dir, serve.Pid, port);

        string[] Burst(NamespaceHost h, int clients, params string[] extra) =>
        [
            "burst", "--target", $"{server.Address}:{port}", "--server-name", "localhost", "--pki", TestPki.Dir, "--clients", Str(clients),
            "--rate", "50", "--source-ips", h.SourceIps, "--out", dir.Combine(h.Role), .. extra,
        ];

        using (hosts.Drop(server, hosts.Agent0.Addresses))
        using (hosts.Drop(server, hosts.Agent1.Addresses, monitor.Port))
        {
            var watch = Stopwatch.StartNew();
            using var agent0 = hosts.Connburst(hosts.Agent0, Burst(hosts.Agent0, 100));
            using var agent1 = hosts.Connburst(hosts.Agent1, Burst(hosts.Agent1, 100, "--monitor", monitor.ToString()));
            var (dropped, dropSeconds) = await ExitAsync(agent0, watch);
            var (noMonitor, monitorSeconds) = await ExitAsync(agent1, watch);

            // Seconds, not minutes: the probe waits 5 s, the monitor's connect 10 s, plus start-up on a busy machine.
            Assert.True(dropSeconds < 60, $"the dropped agent took {dropSeconds:0.0} s to fail: {dropped}");
            Assert.True(monitorSeconds < 60, $"the agent without its monitor took {monitorSeconds:0.0} s to fail: {noMonitor}");
            AssertOneLine(dropped, $"target {server.Address}:{port}", hosts.Agent0.Address, "firewall", "same network");
            AssertOneLine(noMonitor, $"monitor {monitor}", "firewall", "same network");
        }

        // The same agent, the rule removed: it connects (the failure was the firewall, nothing else).
        using var again = hosts.Connburst(hosts.Agent0, Burst(hosts.Agent0, 20));
        var ok = await again.WaitAsync(RunTimeout);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal(20, ResultsFile.Read(ok.LastLine).Counts.Connacks);
    }

    private static async Task<(CliResult Run, double Seconds)> ExitAsync(CliProcess p, Stopwatch watch)
    {
        var r = await p.WaitAsync(RunTimeout);
        return (r, watch.Elapsed.TotalSeconds);
    }

    private static void AssertOneLine(CliResult r, params string[] expected)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        var line = r.Stderr.Trim();
        Assert.False(line.Contains('\n'), $"more than one line on stderr: {r}");
        foreach (var e in expected) Assert.True(line.Contains(e, StringComparison.Ordinal), $"'{e}' not in: {line}");
    }

    /// <summary><c>connburst monitor</c> on the server host, listening on its address (a token, since that is not loopback).</summary>
    private static async Task<IPEndPoint> StartMonitorAsync(NamespaceHosts hosts, TempDir dir, int serverPid, int port)
    {
        var monitor = hosts.Connburst(hosts.Server,
            ["monitor", "--listen", $"{hosts.Server.Address}:0", "--pid", Str(serverPid), "--port", Str(port), "--interval", "500ms",
                "--out", dir.Combine("monitor")],
            new Dictionary<string, string> { ["CONNBURST_MONITOR_TOKEN"] = Token });
        await monitor.WaitForOutputAsync("listening on ", StartTimeout);
        var m = Listening().Match(monitor.Stdout);
        Assert.True(m.Success, monitor.Stdout);
        return new IPEndPoint(IPAddress.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    private static string Str(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>The monitor's line protocol (docs/monitor-protocol.md) over a socket made on the switch.</summary>
    private sealed class MonitorControl : IDisposable
    {
        private readonly NetworkStream _stream;
        private readonly StreamReader _reader;

        private MonitorControl(Socket s)
        {
            _stream = new NetworkStream(s, ownsSocket: true);
            _reader = new StreamReader(_stream, new UTF8Encoding(false));
        }

        public static async Task<MonitorControl> ConnectAsync(NamespaceHosts hosts, IPEndPoint monitor, string token)
        {
            var c = new MonitorControl(await hosts.ConnectAsync(hosts.Switch, monitor, TimeSpan.FromSeconds(30)));
            var auth = await c.SendAsync("AUTH " + token);
            Assert.StartsWith("OK", auth);
            return c;
        }

        public async Task<string> SendAsync(string line)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cts.Token);
            return await _reader.ReadLineAsync(cts.Token) ?? throw new IOException($"the monitor closed the connection after {line}");
        }

        public void Dispose()
        {
            _reader.Dispose();
            _stream.Dispose();
        }
    }

    [GeneratedRegex(@"listening on ([0-9.]+):(\d+)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"\bjson=(\S+)")]
    private static partial Regex JsonPath();

    [GeneratedRegex(@"New client connected from ([0-9.]+):\d+ as connburst-(\d+) ")]
    private static partial Regex Connected();
}
