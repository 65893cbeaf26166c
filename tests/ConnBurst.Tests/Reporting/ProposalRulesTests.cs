using System.Text.Json.Nodes;
using ConnBurst.Reporting.Analysis;
using ConnBurst.Reporting.Sections;
using ConnBurst.Results;

namespace ConnBurst.Tests.Reporting;

/// <summary>
/// Each row of the proposal table at its thresholds: at the threshold it proposes, just short of it it says nothing. The
/// sign cost and the server key are given here (the real ones are measured and read in ProposalsRealRunTests).
/// </summary>
public class ProposalRulesTests
{
    private static readonly SignCost Cost = new(RsaMicros: 1000, EcdsaMicros: 50, Rounds: 5, RsaVerifyMicros: 25, EcdsaVerifyMicros: 75);

    /// <summary>A quiet run (2,000 connects, no queue, cores at 30/20%, the generator on time) and its proposals.</summary>
    private static BottleneckAnalysis Analyze(Action<JsonObject>? server = null, Action<ResultsDocument>? run = null,
        string? key = "RSA-2048", ProposalThresholds? t = null)
    {
        var doc = SampleResults.Burst();
        var s = SampleResults.Server(core0Max: 30, core1Max: 20);
        server?.Invoke(s);
        doc.WithServer(s);
        run?.Invoke(doc);
        return BottleneckAnalyzer.Analyze(doc, ServerFigures.Of(doc),
            proposals: claims => Proposals.For(doc, ServerFigures.Of(doc), claims, t, () => Cost, () => key));
    }

    private static IEnumerable<string> Ids(BottleneckAnalysis a) => a.Proposals.Select(p => p.Id);

    [Fact]
    public void AQuietRunHasNoProposalAndSaysNoBottleneckFound()
    {
        var a = Analyze();
        Assert.Empty(a.Proposals);
        Assert.Equal("no bottleneck found", a.NoProposal);
        Assert.Contains("proposals: no bottleneck found", ProposalText.Lines(a, ""));
    }

    [Fact]
    public void EveryRuleNamesThresholdsThatExistAndHasItsOwnId()
    {
        var members = typeof(ProposalThresholds).GetProperties().Select(p => p.Name).ToHashSet();
        Assert.All(ProposalRules.Table, r => Assert.NotEmpty(r.Thresholds));
        Assert.All(ProposalRules.Table.SelectMany(r => r.Thresholds), n => Assert.Contains(n, members));
        Assert.Equal(ProposalRules.Table.Count, ProposalRules.Table.Select(r => r.Id).Distinct().Count());
        // Every threshold gates some rule: none is dead.
        Assert.All(members, m => Assert.True(ProposalRules.Table.Any(r => r.Thresholds.Contains(m))
            || ProposalRules.AcrossRuns.Any(r => r.Thresholds.Contains(m)), m));
    }

    [Fact]
    public void BacklogFullShareAndListenDrops()
    {
        static void Queue(JsonObject s, double queue, double backlog)
        {
            s["sockets"]!["acceptQueueMax"] = queue;
            s["sockets"]!["listenBacklog"] = backlog;
            s["kernelTcp"] = new JsonObject { ["listenOverflows"] = 0.0, ["listenDrops"] = 0.0, ["reqQFullDrops"] = 0.0,
                ["somaxconn"] = 4096.0,
                ["tcpMaxSynBacklog"] = 2048.0 };
        }
        var full = Analyze(s => Queue(s, 116, 128)); // 0.9 x 128 = 115.2
        Assert.Contains("listen-backlog", Ids(full));
        var p = full.Proposals.Single(x => x.Id == "listen-backlog");
        Assert.Contains(p.Evidence, e => e.Contains("accept queue max 116 of a listen backlog of 128", StringComparison.Ordinal));
        Assert.Contains(p.Evidence, e => e.Contains("net.core.somaxconn 4096", StringComparison.Ordinal));
        Assert.Contains("--backlog", p.Command);
        Assert.DoesNotContain("listen-backlog", Ids(Analyze(s => Queue(s, 115, 128))));

        // The kernel's counters are machine-wide: they count only with this port's accept queue seen non-empty.
        Assert.Contains("listen-backlog", Ids(Analyze(s => { Queue(s, 1, 128); s["kernelTcp"]!["listenOverflows"] = 1.0; })));
        Assert.DoesNotContain("listen-backlog", Ids(Analyze(s => { Queue(s, 0, 128); s["kernelTcp"]!["listenOverflows"] = 5.0; })));
    }

    /// <summary>2,000 connects; the measured RSA sign is 1 ms, so at 15% of the CPU per connect the server uses 6.67 ms.</summary>
    [Fact]
    public void EcdsaKeyNeedsACpuBoundServerAnRsaKeyAndASignShareOfTheConnect()
    {
        static void Bound(JsonObject s, double cpuMax, double msPerConnect)
        {
            s["process"]!["cpuMaxPercent"] = cpuMax;
            s["process"]!["cpuSeconds"] = msPerConnect * 2000 / 1000;
        }
        var a = Analyze(s => Bound(s, 85, 6.6));
        var p = Assert.Single(a.Proposals, x => x.Id == "ecdsa-server-key");
        Assert.Contains(p.Evidence, e => e.Contains("1000 µs with RSA-2048 and 50.0 µs with ECDSA P-256 (20x)",
            StringComparison.Ordinal));
        Assert.Contains("6.60 ms to about 5.75 ms", p.Effect); // -1 + 0.05 + 2 x (0.075 - 0.025)
        Assert.Contains("certs --key ecdsa-p256", p.Command);
        Assert.DoesNotContain("ecdsa-server-key", Ids(Analyze(s => Bound(s, 84.9, 6.6))));            // ServerCpuBound
        Assert.DoesNotContain("ecdsa-server-key", Ids(Analyze(s => Bound(s, 85, 6.7))));              // SignShareOfConnect
        Assert.DoesNotContain("ecdsa-server-key", Ids(Analyze(s => Bound(s, 85, 6.6), key: "ECDSA P-256")));
        Assert.DoesNotContain("ecdsa-server-key", Ids(Analyze(s => Bound(s, 85, 6.6), key: null)));   // key unknown: no guess

        // With a profile, the busiest thread must be mostly in libcrypto (LibcryptoShare).
        static void Profile(JsonObject s, double crypto) => s["process"]!["profile"] = JsonNode.Parse($$"""
            {"status":"ok","note":"n","samples":100,"threads":[{"tid":7,"name":"worker","samples":60,"share":0.6,
              "functions":[{"symbol":"[unknown]","module":"libcrypto.so.3","samples":18,"share":{{crypto}}}],
              "modules":[{"module":"libcrypto.so.3","samples":30,"share":{{crypto}}}]}]}
            """);
        Assert.Contains("ecdsa-server-key", Ids(Analyze(s => { Bound(s, 90, 3); Profile(s, 0.3); })));
        Assert.DoesNotContain("ecdsa-server-key", Ids(Analyze(s => { Bound(s, 90, 3); Profile(s, 0.29); })));
    }

    [Fact]
    public void ServerThreadsNeedsOneThreadWithMostOfTheCpuAtTheBusyLine()
    {
        static void OneThread(JsonObject s, double share, double cpuMax)
        {
            s["process"]!["cpuMaxPercent"] = cpuMax;
            s["process"]!["busiestThreads"] = new JsonArray
            {
                new JsonObject { ["tid"] = 9, ["name"] = "mosquitto", ["cpuSeconds"] = 9.0, ["share"] = share },
                new JsonObject { ["tid"] = 10, ["name"] = "other", ["cpuSeconds"] = 1.0, ["share"] = 1 - share },
            };
        }
        var a = Analyze(s => OneThread(s, 0.85, 100)); // the thread at 85% of one core
        var p = Assert.Single(a.Proposals, x => x.Id == "server-threads");
        Assert.Contains(p.Evidence, e => e.Contains("the machine has 2 cores", StringComparison.Ordinal) && e.Contains("idle",
            StringComparison.Ordinal));
        Assert.Contains("--workers 2", p.Command);
        Assert.DoesNotContain("server-threads", Ids(Analyze(s => OneThread(s, 0.9, 84.9))));  // process and thread short of ServerCpuBound
        // Short of the busy line on a machine whose CPU was saturated while the server was behind: bound all the same.
        var shared = Analyze(s =>
        {
            OneThread(s, 1.0, 60);
            s["cpu"]!["totalMaxBusy"] = 100.0;
            s["sockets"]!["acceptQueueMax"] = 50.0;
        });
        Assert.Equal("server", shared.Side.Conclusion);
        Assert.Contains(Assert.Single(shared.Proposals, x => x.Id == "server-threads").Evidence,
            e => e.Contains("on a machine whose CPU was saturated (cpu-machine) while the server was the side behind",
                StringComparison.Ordinal));
        Assert.DoesNotContain("server-threads", Ids(Analyze(s => OneThread(s, 0.79, 190))));   // SingleThreadShare
    }

    [Fact]
    public void ServerNotReadingAtRecvQBytes()
    {
        Assert.Contains("server-not-reading",
            Ids(Analyze(s => { s["sockets"]!["recvQSumMax"] = 16384.0; s["sockets"]!["notReading"] = "server"; })));
        Assert.DoesNotContain("server-not-reading",
            Ids(Analyze(s => { s["sockets"]!["recvQSumMax"] = 16383.0; s["sockets"]!["notReading"] = "server"; })));
        // A queue that did not stay up (the monitor's reading "none") is a busy moment, not a server that stopped reading.
        Assert.DoesNotContain("server-not-reading", Ids(Analyze(s => s["sockets"]!["recvQSumMax"] = 900_000.0)));
    }

    [Fact]
    public void IndexedCrlAtCrlShare()
    {
        static void Crl(JsonObject s, double share) => s["process"]!["profile"] = JsonNode.Parse($$"""
            {"status":"ok","note":"n","samples":100,"threads":[{"tid":7,"name":"worker","samples":60,"share":0.6,
              "functions":[{"symbol":"X509_CRL_get0_by_serial","module":"libcrypto.so.3","samples":6,"share":{{share}}}],"modules":[]}]}
            """);
        Assert.Contains("indexed-crl", Ids(Analyze(s => Crl(s, 0.1))));
        Assert.DoesNotContain("indexed-crl", Ids(Analyze(s => Crl(s, 0.09))));
    }

    [Fact]
    public void MemoryPerConnectionAtMemAvailableShare()
    {
        static void Memory(JsonObject s, double available)
        {
            s["memory"]!["totalMiB"] = 24_000.0;
            s["memory"]!["availableMiBMin"] = available;
            s["process"]!["rssMiBMax"] = 1000.0;
            s["sockets"]!["establishedMax"] = 2000.0;
        }
        var p = Assert.Single(Analyze(s => Memory(s, 1199)).Proposals, x => x.Id == "memory-per-connection"); // 5% of 24,000 MiB = 1,200
        Assert.Contains(p.Evidence, e => e.Contains("512 KiB per connection, 2048 connections per GiB", StringComparison.Ordinal));
        Assert.Contains("about 4,398 connections", p.Effect);
        Assert.DoesNotContain("memory-per-connection", Ids(Analyze(s => Memory(s, 1200))));
    }

    [Fact]
    public void MoreAgentsWhenTheGeneratorLagsPastGeneratorLagMsOrMakesFewerAttemptsThanOffered()
    {
        // 9.5 CPU-s over the 10 s of attempts for 2,000 attempts: 4.75 ms each; 200/s needs 0.95 core, this agent got 0.95: 2 agents.
        var a = Analyze(run: d => d.Sections["generator"] = SampleResults.Generator(cpuSeconds: 9.5, lagP99: 50));
        var p = Assert.Single(a.Proposals, x => x.Id == "more-agents");
        Assert.StartsWith("spread the load over 2 agents", p.Change);
        Assert.Contains(p.Evidence, e => e.Contains("this agent got 0.95",
            StringComparison.Ordinal) && e.Contains("while it made its attempts (9.50 CPU-s over 10.0 s)", StringComparison.Ordinal));
        Assert.Contains("--shard I/2", p.Command);
        Assert.DoesNotContain("more-agents", Ids(Analyze(run: d => d.Sections["generator"] = SampleResults.Generator(cpuSeconds: 9.5,
            lagP99: 49.9))));

        // No lag, but 179 attempts a second of the 200 offered (< 90%) over the intervals but the last: the rate was not offered.
        static void Short(ResultsDocument d, double perSecond)
        {
            d.Sections["generator"] = SampleResults.Generator(cpuSeconds: 9.5, lagP99: 5);
            foreach (var iv in d.Intervals) iv.Values["attempted"] = perSecond;
        }
        Assert.Contains(Assert.Single(Analyze(run: d => Short(d, 179)).Proposals, x => x.Id == "more-agents").Evidence,
            e => e.Contains("generator made 179 attempts/s of the 200/s offered", StringComparison.Ordinal));
        Assert.DoesNotContain("more-agents", Ids(Analyze(run: d => Short(d, 180))));

        // No lag, every attempt made, but its threads waited for a CPU as long as they ran (RunQueueShare).
        static void Waited(ResultsDocument d, double wait)
        {
            var g = SampleResults.Generator(cpuSeconds: 9.5, lagP99: 5);
            g["runQueueWaitSecondsDuringRun"] = wait;
            d.Sections["generator"] = g;
        }
        Assert.Contains(Assert.Single(Analyze(run: d => Waited(d, 9.5)).Proposals, x => x.Id == "more-agents").Evidence,
            e => e.Contains("generator threads waited 9.50 s for a CPU while running 9.50 s: 50% of their runnable time",
                StringComparison.Ordinal));
        Assert.DoesNotContain("more-agents", Ids(Analyze(run: d => Waited(d, 9.4))));
    }

    [Fact]
    public void SourceAddressesAtNoLocalPortFailures()
    {
        Assert.Contains("source-addresses", Ids(Analyze(run: d => d.Counts.Failed["tcp-no-local-port"] = 1)));
        Assert.DoesNotContain("source-addresses", Ids(Analyze(run: d => d.Counts.Failed["tcp-refused"] = 5)));
    }

    [Fact]
    public void ProposalsAreRankedInTheTablesOrder()
    {
        var a = Analyze(s =>
        {
            s["sockets"]!["recvQSumMax"] = 900_000.0;
            s["sockets"]!["notReading"] = "server";
            s["sockets"]!["acceptQueueMax"] = 128.0;
            s["sockets"]!["listenBacklog"] = 128.0;
        });
        Assert.Equal(["listen-backlog", "server-not-reading"], Ids(a));
        Assert.Equal([1, 2], a.Proposals.Select(p => p.Rank));
    }

    /// <summary>Two runs of one server, TLS 1.2 and TLS 1.3: the cheaper version when the dearer costs TlsVersionCostRatio more.</summary>
    [Fact]
    public void TlsVersionAcrossTwoRunsOfOneServerAtTlsVersionCostRatio()
    {
        static (ResultsDocument, ServerFigures?, BottleneckAnalysis) Run(string tls, double msPerConnect)
        {
            var doc = SampleResults.Burst(tls: tls);
            var s = SampleResults.Server(core0Max: 30, core1Max: 20);
            s["process"]!["cpuSeconds"] = msPerConnect * 2000 / 1000;
            doc.WithServer(s);
            var figures = ServerFigures.Of(doc);
            return (doc, figures, BottleneckAnalyzer.Analyze(doc, figures));
        }
        var p = Assert.Single(Proposals.AcrossRuns([Run("1.2", 1.0), Run("1.3", 1.15)]));
        Assert.Equal("tls-version", p.Id);
        Assert.StartsWith("serve TLS 1.2 rather than TLS 1.3", p.Change);
        Assert.Contains("--tls 1.2", p.Command);
        Assert.Empty(Proposals.AcrossRuns([Run("1.2", 1.0), Run("1.3", 1.14)]));
        Assert.Empty(Proposals.AcrossRuns([Run("1.3", 1.0), Run("1.3", 2.0)])); // one version: nothing to compare
        var other = Run("1.3", 2.0);
        other.Item1.Config["target"] = "127.0.0.1:9999";
        Assert.Empty(Proposals.AcrossRuns([Run("1.2", 1.0), other]));          // two servers: not comparable
        Assert.All(ProposalRules.AcrossRuns.SelectMany(r => r.Thresholds), n =>
            Assert.Contains(n, typeof(ProposalThresholds).GetProperties().Select(x => x.Name)));
    }
}
