using System.Text.Json.Nodes;
using ConnBurst.Load;
using ConnBurst.Recording;
using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;
using HdrHistogram;

namespace ConnBurst.Tests.Scale;

/// <summary>
/// The peak at scale on three hosts: two agents run one staircase (<c>--stages</c>, one <c>--start-at</c>) against the
/// server host, each joining the monitor's one shared recording on its own (JOIN/LEAVE: no script sends START or STOP),
/// then <c>merge</c> and <c>peak --from</c>. Against serve mqtt and against Mosquitto with the 10K CRL.
/// </summary>
public sealed partial class ThreeHostTests
{
    private const string Staircase = "40:2s,80:2s,120:2s";

    [Fact]
    public Task TwoAgentHostsRunOneStaircaseAgainstServeMqttJudgedAfterTheMerge() => RunStaircaseAsync(mosquitto: false);

    [Fact]
    public Task TwoAgentHostsRunOneStaircaseAgainstMosquittoWithThe10KCrlJudgedAfterTheMerge() => RunStaircaseAsync(mosquitto: true);

    private static async Task RunStaircaseAsync(bool mosquitto)
    {
        using var hosts = new NamespaceHosts();
        using var dir = new TempDir();
        var server = hosts.Server;
        MosquittoBroker? broker = null;
        CliProcess? serve = null;
        try
        {
            int port, serverPid;
            if (mosquitto)
            {
                broker = new MosquittoBroker(listenAddress: server.Address, launcher: server.Launcher,
                    canConnect: ep => hosts.CanConnect(hosts.Switch, ep));
                (port, serverPid) = (broker.Port, broker.Pid);
            }
            else
            {
                port = FreePort.Next();
                serve = hosts.Connburst(server, ["serve", "mqtt", "--pki", TestPki.Dir, "--listen", $"{server.Address}:{port}",
                    "--out", dir.Combine("server")]);
                await serve.WaitForOutputAsync($"listening on {server.Address}:{port}", StartTimeout);
                serverPid = serve.Pid;
            }
            var monitor = await StartMonitorAsync(hosts, dir, serverPid, port);

            var startAt = StartTime.Format(DateTimeOffset.UtcNow.AddSeconds(15));
            var agents = hosts.Agents.Select((h, i) => hosts.Connburst(h,
            [
                "burst", "--target", $"{server.Address}:{port}", "--server-name", "localhost", "--pki", TestPki.Dir,
                "--stages", Staircase, "--linger", "1s", "--connect-timeout", "60s", "--interval", "1s", "--shard", $"{i}/2", "--start-at",
                    startAt,
                "--source-ips", h.SourceIps, "--monitor", monitor.ToString(), "--out", dir.Combine($"agent{i}"),
            ], new Dictionary<string, string> { ["CONNBURST_MONITOR_TOKEN"] = Token })).ToList();
            var runs = new List<CliResult>();
            foreach (var a in agents) runs.Add(await a.WaitAsync(RunTimeout));
            Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.ToString()));
            var docs = runs.Select(r => ResultsFile.Read(r.LastLine)).ToList();
            // Both agents brought back the one recording they shared, whole: the last one's LEAVE ended it.
            var labels = docs.Select(d => d.Section("server")!["label"]!.GetValue<string>()).Distinct().ToList();
            Assert.Single(labels);
            Assert.Equal(docs[0].Section("server")!["samples"]!.GetValue<int>(), docs[1].Section("server")!["samples"]!.GetValue<int>());

            var merge = await CliProcess.RunAsync(RunTimeout, "merge", dir.Combine("agent0"), dir.Combine("agent1"), "--out-file",
                dir.Combine("merged.json"));
            Assert.True(merge.ExitCode == 0, merge.ToString());
            var merged = ResultsFile.Read(merge.LastLine);
            var stages = Assert.IsType<JsonArray>(merged.Section("stages")).Select(n => n!.AsObject()).ToList();
            Assert.Equal([80L, 160L, 240L], stages.Select(s => s["counts"]!["attempted"]!.GetValue<long>()));
            for (int i = 0; i < stages.Count; i++)
            {
                var parts = docs.Select(d => d.Section("stages")![i]!.AsObject()).ToList();
                foreach (var key in new[] { "attempted", "connacks", "failedTotal", "abandonedAtEnd" })
                {
                    Assert.Equal(parts.Sum(p => p["counts"]![key]!.GetValue<long>()), stages[i]["counts"]![key]!.GetValue<long>());
                }
                var independent = new LongHistogram(1, LatencyHistograms.HighestTrackableMicros, LatencyHistograms.SignificantDigits);
                foreach (var p in parts)
                {
                    var h = LatencyHistograms.Create();
                    HistogramLogDecoder.AddInto(h, p["histograms"]!["total"]!.GetValue<string>());
                    independent.Add(h);
                }
                foreach (var (percentile, key) in new[] { (50.0, "p50"), (90.0, "p90"), (99.0, "p99") })
                {
                    Assert.Equal(independent.GetValueAtPercentile(percentile) / 1000.0,
                        stages[i]["latency"]!["total"]![key]!.GetValue<double>());
                }
                // The server's side of the stage, cut from the shared recording at the stage's wall-clock bounds.
                var serverSide = stages[i]["server"];
                Assert.NotNull(serverSide);
                Assert.True(serverSide["samples"]!.GetValue<int>() >= 1, serverSide.ToJsonString());
                Assert.Equal(Environment.ProcessorCount, serverSide["perCore"]!.AsArray().Count);
                Assert.NotNull(serverSide["processCpuAvgPercent"]);
            }

            var peak = await CliProcess.RunAsync(RunTimeout, "peak", "--from", dir.Combine("merged.json"), "--out",
                dir.Combine("peak"));
            Assert.True(peak.ExitCode == 0, peak.ToString());
            var verdict = ResultsFile.Read(peak.LastLine).Section("peak")!["verdict"]!.GetValue<string>();
            Assert.Matches(@"stage [123]", verdict);
        }
        finally
        {
            serve?.Interrupt();
            if (serve is not null) await serve.WaitAsync(RunTimeout);
            broker?.Dispose();
        }
    }
}
