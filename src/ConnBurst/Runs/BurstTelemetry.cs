using ConnBurst.Common;
using ConnBurst.Export;
using ConnBurst.Monitor;
using ConnBurst.Recording;
using ConnBurst.Results;

using ConnBurst.Load;

namespace ConnBurst.Runs;

/// <summary>
/// What a burst run tells the outside world while it runs: the server-side monitor (<c>--monitor</c>: START before
/// the first attempt, STOP after the last, its summary embedded as the results' "server" section) and Graphite
/// (<c>--graphite</c>: every interval as mqttbench-style metrics, <c>[ROOT.]connburst.INSTANCE.CON</c>,
/// <c>...ConnLat_99P</c>...). Both are optional; a monitor that cannot be reached at start is bad input.
/// </summary>
internal sealed class BurstTelemetry : IBurstObserver, IAsyncDisposable
{
    private readonly MonitorClient? _monitor;
    private readonly GraphitePlaintextExporter? _graphite;
    private readonly string _prefix;
    private readonly Action<string>? _log;
    /// <summary>Why the server's side is missing, once the monitor is known to be gone (said once, kept in the results).</summary>
    private string? _monitorGone;

    /// <summary>The run's label in a recording the agents share (JOIN), or null for a recording of this run alone (START).</summary>
    private readonly string? _joined;
    private readonly Stages.StagePlan? _stages;

    private BurstTelemetry(MonitorClient? monitor, GraphitePlaintextExporter? graphite, string prefix, Action<string>? log, string? joined,
        Stages.StagePlan? stages)
    {
        _monitor = monitor;
        _graphite = graphite;
        _prefix = prefix;
        _log = log;
        _joined = joined;
        _stages = stages;
    }

    /// <summary>
    /// Connects the monitor and starts its recording: START for a run of one agent; JOIN for an agent of a sharded run, whose
    /// agents share one recording named by the run and its start (docs/monitor-protocol.md, "Recordings shared by the
    /// agents of one run"), ended by the last agent's LEAVE or, should agents never leave, a minute after the planned end.
    /// </summary>
    public static async Task<BurstTelemetry> StartAsync(BurstOptions o, string label, Action<string>? log, CancellationToken ct)
    {
        MonitorClient? monitor = null;
        string? joined = null;
        if (o.Monitor is not null)
        {
            monitor = await MonitorClient.ConnectAsync(HostPort.Parse(o.Monitor, "--monitor"), ct: ct, timeout: TimeSpan.FromSeconds(10));
            try
            {
                if (o.Shard.IsWhole)
                {
                    await monitor.StartAsync(label, ct);
                }
                else
                {
                    joined = SharedLabel(o);
                    var until = o.StartAt is { } at && o.RunLength is { } length ? at + length + o.ConnectTimeout + TimeSpan.FromMinutes(1)
                        : (DateTimeOffset?)null;
                    var deadline = until is { } u ? " UNTIL " + u.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", Invariant) : "";
                    await monitor.CommandAsync($"JOIN {joined}{deadline}", ct);
                }
            }
            catch (Exception e) when (e is MonitorClientException or IOException)
            {
                monitor.Dispose();
                throw new InputException($"--monitor {o.Monitor}: {(joined is null ? "START" : "JOIN")} refused: {e.Message}");
            }
        }
        var graphite = o.Graphite is null ? null : new GraphitePlaintextExporter(HostPort.Parse(o.Graphite, "--graphite", 2003));
        var root = string.IsNullOrEmpty(o.GraphiteRoot) ? "" : o.GraphiteRoot + ".";
        return new BurstTelemetry(monitor, graphite, $"{root}connburst.{SystemSampler.MetricName(o.Instance)}.", log, joined, o.Stages);
    }

    private static readonly System.Globalization.CultureInfo Invariant = System.Globalization.CultureInfo.InvariantCulture;

    /// <summary>What every agent of one sharded run calls its shared recording: the same plan and start on each.</summary>
    private static string SharedLabel(BurstOptions o) =>
        "run-" + (o.StartAt is { } at ? at.UtcDateTime.ToString("yyyyMMddTHHmmssZ", Invariant) : "now") +
        $"-{o.Target}-{o.Shard.Count}-agents";

    /// <summary>One closed interval as Graphite metrics (mqttbench's names where it has one).</summary>
    public void OnInterval(IntervalProgress p)
    {
        if (_monitor is not null && _monitorGone is null && !_monitor.StillThere())
        {
            _monitorGone = $"the monitor at {_monitor.Endpoint} went away {p.Seconds:0} s into the run";
            _log?.Invoke($"warning: {_monitorGone}; the run goes on without the server's side");
        }
        if (_graphite is null) return;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _graphite.Enqueue(
        [
            new(_prefix + "CON", p.ConnectedNow),
            new(_prefix + "ConnAttemptRate", p.AttemptsPerSec),
            new(_prefix + "ConnRate", p.ConnacksPerSec),
            new(_prefix + "ConnLat_50P", p.TotalP50Ms),
            new(_prefix + "ConnLat_99P", p.TotalP99Ms),
            new(_prefix + "SchedLag_99P", p.SchedulerLagP99Ms),
            new(_prefix + "SchedLag_Max", p.SchedulerLagMaxMs),
            new(_prefix + "Behind", p.Behind ? 1 : 0),
            .. StageMetrics(p),
            .. p.FailuresByKind.Select(kv => new KeyValuePair<string, double>(_prefix + "Err_" + kv.Key, kv.Value)),
        ], now);
        _graphite.Flush();
    }

    /// <summary>A staged run's stage (1-based) and the rate this agent's plan offered in the interval, for Graphite.</summary>
    private IEnumerable<KeyValuePair<string, double>> StageMetrics(IntervalProgress p)
    {
        if (p.Stage is not { } stage) yield break;
        yield return new(_prefix + "Stage", stage);
        yield return new(_prefix + "StageTargetRate", p.TargetPerSec ?? 0);
    }

    /// <summary>
    /// Stops the monitor's recording (a shared one: leaves it, and waits for the other agents to) and embeds its summary, with
    /// the CPU series of a staged run for its stages' server side; never throws (the run's own results come first).
    /// </summary>
    public async Task FinishAsync(ResultsDocument doc)
    {
        if (_monitor is not null)
        {
            if (_monitorGone is null)
            {
                try
                {
                    var summary = _joined is null ? await _monitor.StopAsync() : await LeaveSharedAsync();
                    doc.Sections["server"] = summary.ToJsonNode();
                    if (_stages is not null && await _monitor.SendAsync("SAMPLES") is { } samples && samples.StartsWith('{'))
                        doc.Sections[StageResults.SamplesSection] = System.Text.Json.Nodes.JsonNode.Parse(samples);
                }
                catch (Exception e)
                {
                    _monitorGone = $"the monitor at {_monitor.Endpoint} did not answer STOP ({e.Message})";
                    _log?.Invoke($"warning: {_monitorGone}; the results have no server side");
                }
            }
            if (_monitorGone is not null) doc.Sections["serverMissing"] = _monitorGone;
        }
        if (_graphite is not null && !await _graphite.DrainAsync(TimeSpan.FromSeconds(3)))
        {
            _log?.Invoke(
                $"warning: Graphite {_graphite.Endpoint}: not every metric was delivered ({_graphite.Stats.LinesDropped} dropped, last " +
                $"error {_graphite.Stats.LastError})");
        }
    }

    /// <summary>LEAVE, then (when other agents are still in) wait for the last one's LEAVE, or the recording's UNTIL, to end it.</summary>
    private async Task<MonitorSummary> LeaveSharedAsync()
    {
        var left = await _monitor!.CommandAsync("LEAVE");
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(2);
        while (left.Contains("recording goes on", StringComparison.Ordinal) && DateTimeOffset.UtcNow < deadline)
        {
            // Done when the monitor has written it: STATUS names it as the last recording only then.
            if (await _monitor.StatusAsync() == "idle last=" + _joined) break;
            await Task.Delay(250);
        }
        return await _monitor.SummaryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _monitor?.Dispose();
        if (_graphite is not null) await _graphite.DisposeAsync();
    }
}
