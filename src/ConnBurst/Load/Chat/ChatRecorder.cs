using System.Collections.Concurrent;
using ConnBurst.Recording;
using HdrHistogram;
using ConnBurst.Results;

namespace ConnBurst.Load.Chat;

/// <summary>
/// Everything a chat run measures. Latencies go into thread-safe HdrHistogram Recorders (one per phase, written from
/// every client's reader); a snapshot every interval moves each Recorder's interval histogram into the run's total,
/// so the totals are exact merges and the intervals give messages/s over time. Failures are counted by kind. Each
/// interval keeps its histograms and goes to the run's journal as it closes, so a killed run still has its figures.
/// </summary>
internal sealed class ChatRecorder
{
    public static readonly string[] Phases = ["tcp", "tls", "roundtrip", "fanout"];

    private readonly Dictionary<string, Recorder> _recorders = Phases.ToDictionary(p => p, _ => LatencyHistograms.CreateRecorder());
    private readonly Dictionary<string, LongHistogram> _totals = Phases.ToDictionary(p => p, _ => LatencyHistograms.Create());
    private readonly Recorder _sendLag = LatencyHistograms.CreateRecorder();
    private readonly LongHistogram _sendLagTotal = LatencyHistograms.Create();
    private readonly ConcurrentDictionary<string, long> _failures = new(StringComparer.Ordinal);
    private readonly Lock _snapshotGate = new();
    private readonly List<IntervalSnapshot> _intervals = [];
    private long _sent, _delivered, _roundtrips, _lastSent, _lastDelivered;
    private long _lastSnapshotTicks;
    private SortedDictionary<string, long> _lastFailures = new(StringComparer.Ordinal);
    private ResultsJournal? _journal;

    public ChatRecorder(long startTicks, ResultsJournal? journal = null)
    {
        StartTicks = startTicks;
        _lastSnapshotTicks = startTicks;
        _journal = journal;
    }

    /// <summary>The journal could not be written (disk full, directory gone): the one-line reason. Measuring goes on in memory.</summary>
    public event Action<string>? StorageFailed;

    /// <summary>The run's zero on the one clock (Stopwatch ticks).</summary>
    public long StartTicks { get; }

    public long Sent => Interlocked.Read(ref _sent);
    /// <summary>Broadcast copies received by any member, the sender's own copy included.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    public void RecordTcp(long micros) => Record("tcp", micros);
    public void RecordTls(long micros) => Record("tls", micros);
    public void RecordSendLag(long micros) => _sendLag.RecordValue(Math.Clamp(micros, 1, LatencyHistograms.HighestTrackableMicros));
    public void MessageSent() => Interlocked.Increment(ref _sent);

    /// <summary>A broadcast copy arrived: at its sender (round trip) or at another member (fan-out).</summary>
    public void Received(bool own, long micros)
    {
        Interlocked.Increment(ref _delivered);
        if (own) Interlocked.Increment(ref _roundtrips);
        Record(own ? "roundtrip" : "fanout", micros);
    }

    public void Failure(string kind) => _failures.AddOrUpdate(kind, 1, static (_, n) => n + 1);

    public SortedDictionary<string, long> Failures => new(_failures, StringComparer.Ordinal);

    private void Record(string phase, long micros) =>
        _recorders[phase].RecordValue(Math.Clamp(micros, 1, LatencyHistograms.HighestTrackableMicros));

    /// <summary>Moves interval histograms into the totals and appends one interval row (messages/s, deliveries/s, and the interval's
    /// round-trip and fan-out percentiles).</summary>
    public void Snapshot(long nowTicks, int connected)
    {
        lock (_snapshotGate)
        {
            var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(_lastSnapshotTicks, nowTicks).TotalSeconds;
            if (seconds <= 0) return;
            _lastSnapshotTicks = nowTicks;
            var row = new IntervalSnapshot { Seconds = Math.Round(System.Diagnostics.Stopwatch.GetElapsedTime(StartTicks, nowTicks)
                .TotalSeconds, 3) };
            var histograms = new List<KeyValuePair<string, HistogramBase>>(Phases.Length);
            foreach (var phase in Phases)
            {
                var interval = _recorders[phase].GetIntervalHistogram();
                _totals[phase].Add(interval);
                histograms.Add(KeyValuePair.Create(phase, interval));
                if (phase is "roundtrip" or "fanout" && interval.TotalCount > 0)
                {
                    // Interval value names as docs/results-schema.md lists them, so the shared charts draw them.
                    row.Values[$"{phase}_p50"] = interval.GetValueAtPercentile(50) / 1000.0;
                    row.Values[$"{phase}_p90"] = interval.GetValueAtPercentile(90) / 1000.0;
                    row.Values[$"{phase}_p99"] = interval.GetValueAtPercentile(99) / 1000.0;
                    row.Values[$"{phase}_max"] = interval.GetMaxValue() / 1000.0;
                }
            }
            _sendLagTotal.Add(_sendLag.GetIntervalHistogram());
            var sent = Sent;
            var delivered = Delivered;
            row.Values["connectedNow"] = connected;
            row.Values["messagesPerSec"] = (sent - _lastSent) / seconds;
            row.Values["deliveriesPerSec"] = (delivered - _lastDelivered) / seconds;
            row.Values["messagesSent"] = sent;
            row.Values["deliveries"] = delivered;
            row.Histograms = IntervalHistograms.EncodeNamed(histograms);
            var totals = new SortedDictionary<string, long>(StringComparer.Ordinal)
            {
                ["messagesSent"] = sent - _lastSent, ["deliveriesReceived"] = delivered - _lastDelivered,
            };
            var failures = Failures;
            var failuresDelta = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var (kind, n) in failures)
                if (n != _lastFailures.GetValueOrDefault(kind)) failuresDelta[kind] = n - _lastFailures.GetValueOrDefault(kind);
            _lastFailures = failures;
            _lastSent = sent;
            _lastDelivered = delivered;
            _intervals.Add(row);
            Journal(row, totals, failuresDelta);
        }
    }

    private void Journal(IntervalSnapshot row, SortedDictionary<string, long> totals, SortedDictionary<string, long> failures)
    {
        if (_journal is null) return;
        try { _journal.Append(row, totals, failures); }
        catch (IOException e)
        {
            var error = $"cannot write the journal {_journal.Path}: {e.Message}";
            _journal.Dispose();
            _journal = null;
            StorageFailed?.Invoke(error);
        }
    }

    public List<IntervalSnapshot> Intervals { get { lock (_snapshotGate) return [.. _intervals]; } }

    /// <summary>Per-phase summaries of everything snapshotted so far (call <see cref="Snapshot"/> first).</summary>
    public Dictionary<string, LatencySummary> Summaries()
    {
        lock (_snapshotGate)
            return Phases.ToDictionary(p => p, p => LatencyHistograms.Summarize(_totals[p], withDistribution: true));
    }

    public LatencySummary SendLag() { lock (_snapshotGate) return LatencyHistograms.Summarize(_sendLagTotal); }
}
