using ConnBurst.Export;
using ConnBurst.Recording;

namespace ConnBurst.Cli.Prometheus;

/// <summary>
/// <c>burst --prometheus</c>: each closed interval (merged across workers) sets the gauges, then is passed on to the
/// live view. Values change once per --snapshot interval, the same figures the progress line and Graphite show.
/// </summary>
internal sealed class BurstMetrics : IProgress<IntervalProgress>
{
    private readonly IProgress<IntervalProgress> _next;
    private readonly global::Prometheus.Counter _attempted;
    private readonly global::Prometheus.Counter _connacks;
    private readonly global::Prometheus.Counter _failed;
    private readonly global::Prometheus.Gauge _connected;
    private readonly global::Prometheus.Gauge _attemptRate;
    private readonly global::Prometheus.Gauge _connackRate;
    private readonly global::Prometheus.Gauge _latency;
    private readonly global::Prometheus.Gauge _lag;
    private readonly global::Prometheus.Gauge _behind;
    private readonly global::Prometheus.Gauge _stage;
    private readonly global::Prometheus.Gauge _stageTarget;

    public BurstMetrics(PrometheusEndpoint prom, IProgress<IntervalProgress> next)
    {
        _next = next;
        var m = prom.Metrics;
        _attempted = m.CreateCounter("connburst_burst_attempted_total", "Connection attempts started");
        _connacks = m.CreateCounter("connburst_burst_connacks_total", "CONNACKs received");
        _failed = m.CreateCounter("connburst_burst_failed_total", "Failed attempts, by reason", ["reason"]);
        _connected = m.CreateGauge("connburst_burst_connected", "Connections open now");
        _attemptRate = m.CreateGauge("connburst_burst_attempts_per_second", "Attempts per second over the last interval");
        _connackRate = m.CreateGauge("connburst_burst_connacks_per_second", "CONNACKs per second over the last interval");
        _latency = m.CreateGauge("connburst_burst_connect_latency_ms", "Total connect latency (from the due time) over the last interval",
            ["quantile"]);
        _lag = m.CreateGauge("connburst_burst_scheduler_lag_ms", "Scheduler lag over the last interval", ["stat"]);
        _behind = m.CreateGauge("connburst_burst_behind_schedule", "1 when the generator fell behind its schedule in the last interval");
        _stage = m.CreateGauge("connburst_burst_stage", "A staged run's stage (1-based) at the last interval; 0 without --stages");
        _stageTarget = m.CreateGauge("connburst_burst_stage_target_attempts_per_second",
            "The attempts per second this agent's stage plan offered over the last interval " +
            "(achieved: connburst_burst_attempts_per_second)");
    }

    public void Report(IntervalProgress p)
    {
        _attempted.IncTo(p.Attempted);
        _connacks.IncTo(p.Connacks);
        foreach (var (reason, n) in p.FailuresByKind) _failed.WithLabels(reason).IncTo(n);
        _connected.Set(p.ConnectedNow);
        _attemptRate.Set(p.AttemptsPerSec);
        _connackRate.Set(p.ConnacksPerSec);
        _latency.WithLabels("0.5").Set(p.TotalP50Ms);
        _latency.WithLabels("0.99").Set(p.TotalP99Ms);
        _lag.WithLabels("p99").Set(p.SchedulerLagP99Ms);
        _lag.WithLabels("max").Set(p.SchedulerLagMaxMs);
        _behind.Set(p.Behind ? 1 : 0);
        _stage.Set(p.Stage ?? 0);
        if (p.TargetPerSec is { } target) _stageTarget.Set(target);
        _next.Report(p);
    }
}
