using System.Net;
using System.Text.Json.Nodes;
using ConnBurst.Common;

namespace ConnBurst.Monitor;

/// <summary><c>connburst monitor</c>'s options, validated once at the edge (<see cref="Validate"/>).</summary>
internal sealed record MonitorOptions
{
    public const int DefaultPort = 8888;

    public HostPort Listen { get; init; } = new("127.0.0.1", DefaultPort);
    public string ResultsDir { get; init; } = "results";
    public string? ProcessName { get; init; }
    public int? Pid { get; init; }
    public int? Port { get; init; }
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxRecording { get; init; } = TimeSpan.FromHours(2);
    public string? Token { get; init; }
    public HostPort? Graphite { get; init; }
    /// <summary>Share of one core the socket dump may use before it is done less often than every interval (0: always every
    /// interval).</summary>
    public double SocketBudgetPercent { get; init; } = 0.5;
    /// <summary>Metric paths are <c>PREFIX.COLUMN</c>; default <c>connburst.monitor.HOST</c>.</summary>
    public string GraphitePrefix { get; init; } = DefaultGraphitePrefix();

    /// <summary><c>--perf</c>: profile the watched process with perf when it is CPU-bound during a recording; null when off.</summary>
    public Perf.PerfSettings? Perf { get; init; }

    public static string DefaultGraphitePrefix() => "connburst.monitor." + SystemSampler.MetricName(Environment.MachineName);

    /// <summary>True when the control port can be reached from other machines (not a loopback address).</summary>
    public bool OpenToNetwork => !IPAddress.TryParse(Listen.Host, out var ip) ? Listen.Host != "localhost" : !IPAddress.IsLoopback(ip);

    public MonitorOptions Validate()
    {
        if (ProcessName is not null && Pid is not null) throw new InputException("--process and --pid are exclusive: give one");
        if (ProcessName is { Length: 0 }) throw new InputException("--process: empty name");
        if (Pid is <= 0) throw new InputException($"--pid: {Pid} is not a process id");
        if (Pid is { } pid && !Proc.ProcessLocator.Exists(pid)) throw new InputException($"--pid: no process {pid}");
        if (Port is < 1 or > 65535) throw new InputException($"--port: {Port} is not a port number (1-65535)");
        if (Interval < TimeSpan.FromMilliseconds(100) || Interval > TimeSpan.FromMinutes(10))
            throw new InputException($"--interval: {Durations.Format(Interval)} is out of range (100ms to 10m)");
        if (MaxRecording < TimeSpan.FromSeconds(1))
            throw new InputException($"--max-recording: {Durations.Format(MaxRecording)} is too short (at least 1s)");
        if (SocketBudgetPercent is < 0 or > 100 || double.IsNaN(SocketBudgetPercent))
            throw new InputException($"--socket-budget: {SocketBudgetPercent} is not a percentage (0-100; 0 = every interval)");
        if (Token is { } t && (t.Length == 0 || t.Any(char.IsWhiteSpace)))
            throw new InputException("--monitor-token: must be non-empty with no spaces");
        if (GraphitePrefix.Length == 0 || GraphitePrefix.Any(char.IsWhiteSpace) || GraphitePrefix.StartsWith('.')
            || GraphitePrefix.EndsWith('.'))
        {
            throw new InputException($"--graphite-root: '{GraphitePrefix}' is not a dotted metric path");
        }
        if (Perf is { } perf)
        {
            if (ProcessName is null && Pid is null)
                throw new InputException("--perf needs the process to profile: give --process NAME or --pid N");
            if (perf.FrequencyHz is < 1 or > 999)
                throw new InputException($"--perf-frequency: {perf.FrequencyHz} Hz is out of range (1-999)");
            if (perf.Window < TimeSpan.FromSeconds(1) || perf.Window > TimeSpan.FromSeconds(60))
                throw new InputException($"--perf-window: {Durations.Format(perf.Window)} is out of range (1s to 60s)");
            if (perf.CpuBoundPercent is < 1 or > 10_000 || double.IsNaN(perf.CpuBoundPercent))
                throw new InputException($"--perf-cpu-bound: {perf.CpuBoundPercent} is not a percentage of one core (1-10000)");
        }
        if (!IPAddress.TryParse(Listen.Host, out _) && Listen.Host != "localhost")
            throw new InputException($"--listen: '{Listen.Host}' is not an IP address (use e.g. 127.0.0.1:8888 or 0.0.0.0:8888)");
        return this;
    }

    /// <summary>The effective configuration, embedded in results (the token is never written, only whether one is set).</summary>
    public JsonObject ToJson() => new()
    {
        ["listen"] = Listen.ToString(),
        ["results"] = Path.GetFullPath(ResultsDir),
        ["process"] = ProcessName,
        ["pid"] = Pid,
        ["port"] = Port,
        ["intervalMs"] = Interval.TotalMilliseconds,
        ["maxRecording"] = Durations.Format(MaxRecording),
        ["socketBudgetPercent"] = Port is null ? null : SocketBudgetPercent,
        ["auth"] = Token is not null,
        ["graphite"] = Graphite?.ToString(),
        ["graphitePrefix"] = Graphite is null ? null : GraphitePrefix,
        ["perf"] = Perf is null ? null : new JsonObject
        {
            ["cpuBoundPercent"] = Perf.CpuBoundPercent, ["frequencyHz"] = Perf.FrequencyHz, ["window"] = Durations.Format(Perf.Window),
        },
    };
}
