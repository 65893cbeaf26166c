using System.Text.Json.Nodes;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Sections;

/// <summary>
/// The server-side figures reports, verdicts and analyze use, read once from the monitor's summary (the "server"
/// section a burst or chat run embeds, or the "summary" of a monitor result; shape in docs/results-schema.md, written
/// by ConnBurst.Monitor.MonitorSummary). A view, not a second model: every figure here is one the monitor computed.
/// </summary>
internal sealed record ServerFigures
{
    public int Cores { get; init; }
    /// <summary>The highest busy percent any one core reached in any sample.</summary>
    public double MaxCoreBusy { get; init; }
    public int BusiestCore { get; init; }
    public double[] PerCoreMax { get; init; } = [];
    public double[] PerCoreAvg { get; init; } = [];
    public double TotalAvgBusy { get; init; }
    public double TotalMaxBusy { get; init; }
    public int Samples { get; init; }
    public double? ProcessCpuAvg { get; init; }
    /// <summary>The watched process's highest CPU in one interval, in percent of one core (summed over its threads).</summary>
    public double? ProcessCpuMax { get; init; }
    public string? ProcessName { get; init; }
    public double? FdsMax { get; init; }
    /// <summary>The watched process's CPU seconds over the recording (all its threads).</summary>
    public double? ProcessCpuSeconds { get; init; }
    public double? RssMiBMax { get; init; }
    public double? MemTotalMiB { get; init; }
    public double? MemAvailableMinMiB { get; init; }
    public double? IoWaitAvg { get; init; }
    public double? RecvQSumMax { get; init; }
    public double? SendQSumMax { get; init; }
    public double? AcceptQueueMax { get; init; }
    public double? EstablishedMax { get; init; }
    /// <summary>The listen socket's backlog as the kernel applies it; null from a monitor that did not record it.</summary>
    public double? ListenBacklog { get; init; }
    /// <summary>The kernel's listen-queue counters over the recording (machine-wide) and its backlog limits; null from an older
    /// monitor.</summary>
    public KernelTcpFigures? KernelTcp { get; init; }
    /// <summary>The monitor's own reading of the queues: server, peer, both or none.</summary>
    public string? NotReading { get; init; }
    public IReadOnlyList<(int Tid, string Name, double Share)> Threads { get; init; } = [];
    /// <summary><c>monitor --perf</c>'s one line (the headline, or why there is no profile); null without --perf.</summary>
    public string? ProfileNote { get; init; }
    /// <summary>ok, perf-missing, not-permitted, not-cpu-bound, process-gone, no-samples or failed.</summary>
    public string? ProfileStatus { get; init; }
    /// <summary>The profiled threads, busiest first, each with its top functions (shares of its own samples).</summary>
    public IReadOnlyList<ProfiledThreadFigures> ProfileThreads { get; init; } = [];
    /// <summary>Per-core series for the CPU chart, when the results carry them.</summary>
    public CpuSeries? Series { get; init; }

    /// <summary>The server figures of a run: its "server" section, or the "summary" of a monitor result; null when it has
    /// neither.</summary>
    public static ServerFigures? Of(ResultsDocument doc)
    {
        var node = doc.Section("server") as JsonObject ?? doc.Section("monitor")?["summary"] as JsonObject;
        return node is null ? null : From(node, CpuSeries.Of(doc) ?? SeriesFromMonitorFile(node));
    }

    /// <summary>
    /// The server figures of a time window of a monitor result (one stage of a run, one step), summarised from the samples in
    /// the window (<see cref="Monitor.RecordingWindow"/>); null when no sample falls in it.
    /// </summary>
    public static ServerFigures? Window(ResultsDocument monitor, DateTimeOffset from, DateTimeOffset to) =>
        Monitor.RecordingWindow.Summarize(monitor, from, to) is { } summary ? From((JsonObject)summary.ToJsonNode()) : null;

    public static ServerFigures From(JsonObject s, CpuSeries? series = null)
    {
        var cpu = s["cpu"] as JsonObject;
        var perCore = (cpu?["perCore"] as JsonArray)?.OfType<JsonObject>().OrderBy(c => Num(c["core"]) ?? 0).ToList() ?? [];
        var max = perCore.Select(c => Num(c["maxBusy"]) ?? 0).ToArray();
        var busiest = max.Length == 0 ? 0 : Array.IndexOf(max, max.Max());
        var process = s["process"] as JsonObject;
        var sockets = s["sockets"] as JsonObject;
        var memory = s["memory"] as JsonObject;
        var kernel = s["kernelTcp"] as JsonObject;
        var threads = (process?["busiestThreads"] as JsonArray)?.OfType<JsonObject>()
            .Select(t => ((int)(Num(t["tid"]) ?? 0), t["name"]?.GetValue<string>() ?? "", Num(t["share"]) ?? 0)).ToList() ?? [];
        var profile = process?["profile"] as JsonObject;
        var profiled = (profile?["threads"] as JsonArray)?.OfType<JsonObject>().Select(t => new ProfiledThreadFigures(
            (int)(Num(t["tid"]) ?? 0), t["name"]?.GetValue<string>() ?? "", Num(t["share"]) ?? 0,
            (t["functions"] as JsonArray)?.OfType<JsonObject>()
                .Select(f => (f["symbol"]?.GetValue<string>() ?? "", f["module"]?.GetValue<string>() ?? "", Num(f["share"]) ?? 0)).ToList()
                ?? [],
            (t["modules"] as JsonArray)?.OfType<JsonObject>()
                .Select(f => (f["module"]?.GetValue<string>() ?? "", Num(f["share"]) ?? 0)).ToList() ?? [])).ToList() ?? [];
        return new ServerFigures
        {
            Cores = (int)(Num(cpu?["cores"]) ?? perCore.Count),
            MaxCoreBusy = Num(cpu?["maxCoreMaxBusy"]) ?? (max.Length > 0 ? max.Max() : 0),
            BusiestCore = perCore.Count == 0 ? 0 : (int)(Num(perCore[busiest]["core"]) ?? busiest),
            PerCoreMax = max,
            PerCoreAvg = perCore.Select(c => Num(c["avgBusy"]) ?? 0).ToArray(),
            TotalAvgBusy = Num(cpu?["totalAvgBusy"]) ?? 0,
            TotalMaxBusy = Num(cpu?["totalMaxBusy"]) ?? 0,
            IoWaitAvg = Num(cpu?["avgIoWait"]),
            Samples = (int)(Num(s["samples"]) ?? 0),
            ProcessCpuAvg = Num(process?["cpuAvgPercent"]),
            ProcessCpuMax = Num(process?["cpuMaxPercent"]),
            ProcessName = process?["name"]?.GetValue<string>(),
            FdsMax = Num(process?["fdsMax"]),
            ProcessCpuSeconds = Num(process?["cpuSeconds"]),
            RssMiBMax = Num(process?["rssMiBMax"]),
            MemTotalMiB = Num(memory?["totalMiB"]),
            MemAvailableMinMiB = Num(memory?["availableMiBMin"]),
            RecvQSumMax = Num(sockets?["recvQSumMax"]),
            SendQSumMax = Num(sockets?["sendQSumMax"]),
            AcceptQueueMax = Num(sockets?["acceptQueueMax"]),
            EstablishedMax = Num(sockets?["establishedMax"]),
            ListenBacklog = Num(sockets?["listenBacklog"]) is > 0 and var backlog ? backlog : null,
            KernelTcp = kernel is null ? null : new KernelTcpFigures(Num(kernel["listenOverflows"]) ?? 0, Num(kernel["listenDrops"]) ?? 0,
                Num(kernel["reqQFullDrops"]) ?? 0, Num(kernel["somaxconn"]), Num(kernel["tcpMaxSynBacklog"])),
            NotReading = sockets?["notReading"]?.GetValue<string>(),
            Threads = threads,
            ProfileNote = profile?["note"]?.GetValue<string>(),
            ProfileStatus = profile?["status"]?.GetValue<string>(),
            ProfileThreads = profiled,
            Series = series,
        };
    }

    /// <summary>
    /// A burst's "server" section names the monitor's own results file (files.json); when it is readable here (same
    /// machine), its per-core series give the report its CPU chart.
    /// </summary>
    private static CpuSeries? SeriesFromMonitorFile(JsonObject summary)
    {
        if (summary["files"]?["json"] is not JsonValue v || !v.TryGetValue<string>(out var path) || !File.Exists(path)) return null;
        try { return CpuSeries.Of(ResultsFile.Read(path)); }
        catch (Common.InputException) { return null; }
    }

    private static double? Num(JsonNode? n) =>
        n is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
}

/// <summary>One profiled thread as the monitor summarised it: its share of the process's perf samples and its top functions.</summary>
internal sealed record ProfiledThreadFigures(int Tid, string Name, double Share,
    IReadOnlyList<(string Symbol, string Module, double Share)> Functions,
    IReadOnlyList<(string Module, double Share)> Modules);

/// <summary>The monitor's kernel listen-queue counters over a recording and the machine's backlog limits (its "kernelTcp").</summary>
internal sealed record KernelTcpFigures(double ListenOverflows, double ListenDrops, double ReqQFullDrops, double? Somaxconn,
    double? TcpMaxSynBacklog);
