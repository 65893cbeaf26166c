using System.Text.Json.Nodes;
using ConnBurst.Recording;
using ConnBurst.Reporting;
using ConnBurst.Reporting.Sections;
using ConnBurst.Results;

namespace ConnBurst.Tests.Reporting;

/// <summary>
/// Hand-built results in the shapes the real writers produce (burst's BurstAggregator: interval keys and "generator";
/// the monitor's MonitorSummary: "server"), with latencies drawn from a fixed seed so every test sees the same figures.
/// </summary>
internal static class SampleResults
{
    public static ResultsDocument Burst(double scaleMs = 20, int seed = 1, long failed = 0, string tls = "1.3", int intervals = 10)
    {
        var rng = new Random(seed);
        var start = new DateTimeOffset(2026, 11, 23, 14, 0, 0, TimeSpan.Zero);
        var doc = new ResultsDocument
        {
            Kind = "burst",
            StartedAt = start,
            EndedAt = start.AddSeconds(intervals),
            Machine = new MachineInfo { Host = "bench", Cores = 2, MemoryMiB = 24_000, CpuModel = "Test CPU", DotNet = ".NET 10",
                OpenSsl = "OpenSSL 3.5", FdLimit = 20_000, Kernel = "6.1", Os = "Debian" },
        };
        doc.Config["target"] = "127.0.0.1:8884";
        doc.Config["tls"] = tls;
        doc.Config["rate"] = 200;
        doc.Config["clients"] = 2000;
        var phases = new[] { ("tcp", 0.05), ("tls", 0.6), ("connack", 0.1), ("total", 1.0) };
        var cumulative = phases.ToDictionary(p => p.Item1, _ => LatencyHistograms.Create());
        for (var i = 1; i <= intervals; i++)
        {
            var interval = phases.ToDictionary(p => p.Item1, _ => LatencyHistograms.Create());
            for (var n = 0; n < 200; n++)
            {
                var baseMs = scaleMs * (0.5 + rng.NextDouble()) * (rng.NextDouble() < 0.02 ? 5 : 1);
                foreach (var (phase, share) in phases)
                {
                    var us = (long)(baseMs * share * 1000);
                    interval[phase].RecordMicros(us);
                    cumulative[phase].RecordMicros(us);
                }
            }
            var total = LatencyHistograms.Summarize(interval["total"]);
            doc.Intervals.Add(new IntervalSnapshot
            {
                Seconds = i,
                Values = new(StringComparer.Ordinal)
                {
                    ["attempted"] = 200, ["connacks"] = 200 - (i == 5 ? failed : 0), ["failed"] = i == 5 ? failed : 0,
                    ["connectedNow"] = Math.Min(2000, 200 * i), ["attemptsPerSec"] = 200, ["connacksPerSec"] = 200 - (i == 5 ? failed : 0),
                    ["schedulerLagP99Ms"] = 1.2, ["total_p50"] = total.P50, ["total_p90"] = total.P90, ["total_p99"] = total.P99,
                        ["total_max"] = total.Max,
                },
            });
        }
        foreach (var (phase, _) in phases)
            doc.Latency[phase] = LatencyHistograms.Summarize(cumulative[phase], withDistribution: phase == "total");
        doc.Counts.Attempted = 200L * intervals;
        doc.Counts.Connacks = doc.Counts.Attempted - failed;
        doc.Counts.Connected = doc.Counts.Connacks;
        if (failed > 0) doc.Counts.Failed["timeout"] = failed;
        doc.Sections["generator"] = Generator(cpuSeconds: 2.5, lagP99: 1.2);
        return doc;
    }

    public static JsonObject Generator(double cpuSeconds, double lagP99, bool fellBehind = false) => new()
    {
        ["workers"] = 1, ["cpuSeconds"] = cpuSeconds, ["cpuMsPerAttempt"] = Math.Round(cpuSeconds * 1000 / 2000, 3),
            ["peakRssBytes"] = 80_000_000,
        ["schedulerLagMs"] = new JsonObject { ["p50"] = lagP99 / 3, ["p99"] = lagP99, ["p999"] = lagP99 * 1.5, ["max"] = lagP99 * 2,
            ["avg"] = lagP99 / 2 },
        ["maxTickLagMs"] = lagP99 * 2, ["behindThresholdMs"] = 50, ["behindIntervals"] = fellBehind ? 4 : 0, ["fellBehind"] = fellBehind,
    };

    /// <summary>A monitor summary in ConnBurst.Monitor.MonitorSummary's JSON shape.</summary>
    public static JsonObject Server(double core0Max = 55, double core1Max = 40, double recvQSumMax = 0, double sendQSumMax = 0,
        double acceptQueueMax = 0)
    {
        var perCore = new JsonArray
        {
            new JsonObject { ["core"] = 0, ["avgBusy"] = core0Max * 0.8, ["maxBusy"] = core0Max },
            new JsonObject { ["core"] = 1, ["avgBusy"] = core1Max * 0.8, ["maxBusy"] = core1Max },
        };
        return new JsonObject
        {
            ["label"] = "burst", ["host"] = "bench", ["samples"] = 10, ["intervalMs"] = 1000, ["seconds"] = 10,
            ["cpu"] = new JsonObject
            {
                ["cores"] = 2, ["totalAvgBusy"] = (core0Max + core1Max) * 0.4, ["totalMaxBusy"] = (core0Max + core1Max) / 2,
                ["maxCoreAvgBusy"] = Math.Max(core0Max, core1Max) * 0.8, ["maxCoreMaxBusy"] = Math.Max(core0Max, core1Max),
                    ["avgIoWait"] = 0.3, ["perCore"] = perCore,
            },
            ["memory"] = new JsonObject { ["totalMiB"] = 24_000, ["usedMiBMax"] = 3_000, ["availableMiBMin"] = 21_000 },
            ["process"] = new JsonObject
            {
                ["pid"] = 4242, ["name"] = "connburst", ["cpuAvgPercent"] = 70, ["cpuMaxPercent"] = 95, ["fdsMax"] = 2100,
                    ["threadsMax"] = 24,
                ["busiestThreads"] = new JsonArray
                {
                    new JsonObject { ["tid"] = 4250, ["name"] = ".NET TP Worker", ["cpuSeconds"] = 3.1, ["share"] = 0.44 },
                    new JsonObject { ["tid"] = 4251, ["name"] = ".NET TP Worker", ["cpuSeconds"] = 2.0, ["share"] = 0.29 },
                    new JsonObject { ["tid"] = 4243, ["name"] = "accept", ["cpuSeconds"] = 0.7, ["share"] = 0.1 },
                },
            },
            ["sockets"] = new JsonObject
            {
                ["port"] = 8884, ["establishedMax"] = 2000, ["recvQMax"] = recvQSumMax / 10, ["recvQSumMax"] = recvQSumMax,
                ["sendQMax"] = sendQSumMax / 10, ["sendQSumMax"] = sendQSumMax, ["acceptQueueMax"] = acceptQueueMax,
                ["notReading"] = recvQSumMax > 0 ? "server" : sendQSumMax > 0 ? "peer" : "none",
            },
        };
    }

    /// <summary>A monitor recording's "monitor" section (ConnBurst.Monitor.MonitorJson's shape): times, per-core busy series, optional
    /// summary.</summary>
    public static JsonObject MonitorSection(int samples = 10, JsonObject? summary = null)
    {
        JsonArray Series(Func<int, double> f) => new(Enumerable.Range(0, samples)
            .Select(i => (JsonNode?)JsonValue.Create(Math.Round(f(i), 3))).ToArray());
        var m = new JsonObject
        {
            ["label"] = "burst", ["intervalMs"] = 1000, ["cores"] = 2, ["samples"] = samples,
            ["t"] = Series(i => i),
            ["series"] = new JsonObject
            {
                ["cpu"] = new JsonObject
                {
                    ["total"] = new JsonObject { ["busy"] = Series(i => 27 + 15 * Math.Sin(i / 2.0)) },
                    ["cpu0"] = new JsonObject { ["busy"] = Series(i => 30 + 20 * Math.Sin(i / 2.0)) },
                    ["cpu1"] = new JsonObject { ["busy"] = Series(i => 25 + 10 * Math.Cos(i / 3.0)) },
                },
            },
        };
        if (summary is not null) m["summary"] = summary;
        return m;
    }

    public static ResultsDocument WithServer(this ResultsDocument doc, JsonObject server, bool series = true)
    {
        doc.Sections["server"] = server;
        if (series) doc.Sections["monitor"] = MonitorSection();
        return doc;
    }
}
