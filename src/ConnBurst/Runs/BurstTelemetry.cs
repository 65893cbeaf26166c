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

    private BurstTelemetry(MonitorClient? monitor, GraphitePlaintextExporter? graphite, string prefix, Action<string>? log)
    {
        _monitor = monitor;
        _graphite = graphite;
        _prefix = prefix;
        _log = log;
    }

    public static async Task<BurstTelemetry> StartAsync(BurstOptions o, string label, Action<string>? log, CancellationToken ct)
    {
        MonitorClient? monitor = null;
        if (o.Monitor is not null)
        {
            monitor = await MonitorClient.ConnectAsync(HostPort.Parse(o.Monitor, "--monitor"), o.MonitorToken, ct,
                timeout: TimeSpan.FromSeconds(10));
            try { await monitor.StartAsync(label, ct); }
            catch (Exception e) when (e is MonitorClientException or IOException)
            {
                monitor.Dispose();
                throw new InputException($"--monitor {o.Monitor}: START refused: {e.Message}");
            }
        }
        var graphite = o.Graphite is null ? null : new GraphitePlaintextExporter(HostPort.Parse(o.Graphite, "--graphite", 2003));
        var root = string.IsNullOrEmpty(o.GraphiteRoot) ? "" : o.GraphiteRoot + ".";
        return new BurstTelemetry(monitor, graphite, $"{root}connburst.{SystemSampler.MetricName(o.Instance)}.", log);
    }

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
            .. p.FailuresByKind.Select(kv => new KeyValuePair<string, double>(_prefix + "Err_" + kv.Key, kv.Value)),
        ], now);
        _graphite.Flush();
    }

    /// <summary>Stops the monitor's recording and embeds its summary; never throws (the run's own results come first).</summary>
    public async Task FinishAsync(ResultsDocument doc)
    {
        if (_monitor is not null)
        {
            if (_monitorGone is null)
            {
                try
                {
                    var summary = await _monitor.StopAsync();
                    doc.Sections["server"] = summary.ToJsonNode();
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

    public async ValueTask DisposeAsync()
    {
        _monitor?.Dispose();
        if (_graphite is not null) await _graphite.DisposeAsync();
    }
}
