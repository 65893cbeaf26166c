using System.Text.Json.Nodes;
using HdrHistogram;
using ConnBurst.Results;

namespace ConnBurst.Recording;

/// <summary>
/// Merges interval reports from one or many workers, exactly: histograms are added (never averaged) and counter deltas
/// summed. Each interval closes when every live worker has reported it; it then becomes a CSV row pair, an .hlog entry,
/// an <see cref="IntervalSnapshot"/>, and a live progress line. At the end it fills the <see cref="ResultsDocument"/>.
/// Not thread-safe: feed it from one thread (or under a lock).
/// </summary>
internal sealed class BurstAggregator : IDisposable
{
    private readonly int _shards;
    private readonly long _target;
    private readonly DateTimeOffset _t0;
    private readonly double _behindThresholdMs;
    private IntervalCsv? _csv;
    private HlogFile? _hlog;
    private ResultsJournal? _journal;
    private readonly string? _journalPath;
    private readonly SortedDictionary<int, List<IntervalReport>> _pending = new();
    private readonly Dictionary<int, int> _finalIndexOfShard = new();
    private readonly Dictionary<int, GeneratorUsage> _usage = new();
    private readonly LongHistogram[] _cumulative;
    /// <summary>An interval's merge of several reports, reused: nothing reads it once the interval is closed.</summary>
    private readonly HistogramSetPool _merges = new(maxSpareSets: 1);
    private readonly CounterSnapshot _totals = new();
    private CounterSnapshot _gauges = new();
    private double _lastSeconds;
    private double _maxTickLagMs;
    private long _peakRss;
    private int _behindIntervals;
    private int _nextIndex;

    /// <summary>The closed intervals; the first <see cref="_spilled"/> have their histograms in the journal until
    /// <see cref="Fill"/>.</summary>
    public List<IntervalSnapshot> Intervals { get; } = [];
    private int _spilled;

    /// <summary>Raised for each interval closed, in order.</summary>
    public event Action<IntervalProgress>? IntervalClosed;

    public BurstAggregator(int shards, long target, DateTimeOffset t0, string? csvPath, string? hlogPath, double behindThresholdMs = 10,
        ResultsJournal? journal = null)
    {
        _journal = journal;
        _journalPath = journal?.Path;
        _shards = shards;
        _target = target;
        _t0 = t0;
        _behindThresholdMs = behindThresholdMs;
        if (csvPath is not null) _csv = new IntervalCsv(csvPath);
        if (hlogPath is not null) _hlog = new HlogFile(hlogPath, t0);
        CsvPath = csvPath;
        HlogPath = hlogPath;
        _cumulative = new LongHistogram[BurstPhases.All.Length];
        for (int i = 0; i < _cumulative.Length; i++) _cumulative[i] = LatencyHistograms.Create();
    }

    public string? CsvPath { get; private set; }
    public string? HlogPath { get; private set; }

    /// <summary>
    /// Raised once when an interval file cannot be written (a full or unwritable disk): the file names and the error.
    /// The files stop growing from then on, each cut back to its last whole line, so nothing already written is lost.
    /// </summary>
    public event Action<string>? StorageFailed;

    /// <summary>The first storage error, or null.</summary>
    public string? StorageError { get; private set; }
    public CounterSnapshot Totals => _totals;
    public int BehindIntervals => _behindIntervals;

    private readonly SortedDictionary<int, (string Exit, int LastInterval)> _lost = new();

    /// <summary>A worker that died without its final report: named in the results, which become "partial".</summary>
    public void MarkLost(int shard, string exit, int lastInterval) => _lost[shard] = (exit, lastInterval);

    /// <summary>A staged run's plan: its stages' parts are added as engines hand them over, and written as <c>stages</c>.</summary>
    public Stages.StagePlan? Stages { get; init; }
    /// <summary>This agent's share of every stage (1/N with <c>--shard I/N</c>), for the live view's target rate.</summary>
    public double StageShare { get; init; } = 1;
    private readonly Dictionary<int, StagePart> _stageParts = new();

    public void Add(IntervalReport report)
    {
        if (report.Stages is { } parts)
        {
            foreach (var part in parts)
            {
                if (_stageParts.TryGetValue(part.Stage, out var sum)) sum.Add(part);
                else _stageParts[part.Stage] = part;
            }
        }
        if (report.Index < _nextIndex) report.Index = _nextIndex; // a straggler: fold it into the next open interval
        if (!_pending.TryGetValue(report.Index, out var list)) _pending[report.Index] = list = [];
        list.Add(report);
        _usage[report.Shard] = report.Usage;
        if (report.Final) _finalIndexOfShard[report.Shard] = report.Index;
        CloseReady(force: false);
    }

    /// <summary>Closes every interval still open (a worker died, or the run is over).</summary>
    public void Flush() => CloseReady(force: true);

    private void CloseReady(bool force)
    {
        while (_pending.Count > 0)
        {
            var (index, list) = _pending.First();
            var expected = 0;
            for (int s = 0; s < _shards; s++)
                if (!_finalIndexOfShard.TryGetValue(s, out var last) || last >= index) expected++;
            if (!force && list.Count < expected) return;
            _pending.Remove(index);
            Close(list);
            _nextIndex = index + 1;
        }
    }

    private void Close(List<IntervalReport> reports)
    {
        // One report (a run in one process, or one worker left): its histograms are the interval's as they are, and go back
        // to the engine's recorders below. A copy is six histograms of 172 KB each on the large-object heap every interval,
        // and the collections they cause pause the event loops.
        var single = reports.Count == 1 && reports[0].Histograms.Length == _cumulative.Length;
        var merged = single ? reports[0].Histograms : _merges.Rent();
        var delta = new CounterSnapshot();
        var gauges = new CounterSnapshot();
        double end = 0, tickLag = 0;
        foreach (var r in reports)
        {
            if (!single)
                for (int i = 0; i < merged.Length && i < r.Histograms.Length; i++) merged[i].Add(r.Histograms[i]);
            delta.Add(r.Counters, addGauges: false);
            gauges.Add(new CounterSnapshot { Gauges = r.Counters.Gauges });
            end = Math.Max(end, r.EndSeconds);
            tickLag = Math.Max(tickLag, r.Usage.MaxTickLagMs);
        }
        // Gauges of workers that did not report this interval (finished ones) still count at their last level.
        foreach (var (k, v) in _gauges.Gauges) if (!gauges.Gauges.ContainsKey(k)) gauges.Gauges[k] = v;
        for (int i = 0; i < merged.Length; i++) _cumulative[i].Add(merged[i]);
        _totals.Add(delta, addGauges: false);
        _gauges = gauges;
        _maxTickLagMs = Math.Max(_maxTickLagMs, tickLag);
        _peakRss = Math.Max(_peakRss, _usage.Values.Sum(u => u.RssBytes));

        var seconds = Math.Max(end - _lastSeconds, 1e-3);
        _lastSeconds = end;
        var values = new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["attempted"] = delta.Total("attempted"),
            ["connacks"] = delta.Total("connacks"),
            ["failed"] = FailedIn(delta),
            ["timedOut"] = delta.Total(FailureKind.Timeout.Name()),
            ["connectedNow"] = gauges.Gauge("connectedNow"),
            ["attemptsPerSec"] = delta.Total("attempted") / seconds,
            ["connacksPerSec"] = delta.Total("connacks") / seconds,
        };
        PutHistogramValues(merged, tickLag, values);
        var lagMax = values["schedulerLagMaxMs"];
        var lagP99 = values["schedulerLagP99Ms"];
        var behind = lagP99 > _behindThresholdMs || tickLag > _behindThresholdMs;
        if (behind) _behindIntervals++;
        foreach (var k in Enum.GetValues<FailureKind>()) values[k.Name()] = delta.Total(k.Name());
        var lines = HlogFile.IntervalLines(merged, _t0.AddSeconds(end - seconds), _t0.AddSeconds(end));
        var snapshot = new IntervalSnapshot { Seconds = end, Values = values, Histograms = IntervalHistograms.FromLogLines(lines, merged) };
        foreach (var r in reports) r.ReleaseHistograms(); // the last read of them (merged included, when it is a report's)
        if (!single) _merges.Return(merged);
        Intervals.Add(snapshot);
        WriteFiles(() =>
        {
            _csv?.Write(end, values);
            _hlog?.Append(lines);
            _journal?.Append(snapshot, delta.Totals, delta.Failures);
        });
        if (_journal is not null && StorageError is null)
        {
            // In the journal now: the histograms come back from it at the end (Fill), so an hour-long run does not hold
            // an hour of them (about 17 KB an interval as .NET strings: most of the generator's RSS growth over the
            // hour-long soak against Mosquitto, issue 13).
            snapshot.Histograms = null;
            _spilled++;
        }

        var failures = Enum.GetValues<FailureKind>().ToDictionary(k => k.Name(), k => _totals.Total(k.Name()));
        IntervalClosed?.Invoke(new IntervalProgress(end, _target, gauges.Gauge("connectedNow"), _totals.Total("attempted"),
            _totals.Total("connacks"), values["attemptsPerSec"], values["connacksPerSec"], values["total_p50"], values["total_p99"],
            lagP99, lagMax, behind, failures)
        {
            Stage = Stages is null ? null : Stages.StageAt(end - seconds / 2) + 1,
            StageCount = Stages?.Count ?? 0,
            TargetPerSec = Stages is null ? null : (Stages.AttemptsAt(end) - Stages.AttemptsAt(end - seconds)) / seconds * StageShare,
        });
    }

    /// <summary>Writes the interval files; on the first IOException stops writing them (measuring goes on in memory).</summary>
    private void WriteFiles(Action write)
    {
        if (StorageError is not null) return;
        try { write(); }
        catch (IOException e)
        {
            StorageError =
                $"cannot write the interval files in {Path.GetDirectoryName(CsvPath ?? HlogPath ?? _journal?.Path)}: {e.Message}";
            _csv?.Dispose(); _hlog?.Dispose(); _journal?.Dispose();
            _csv = null; _hlog = null; _journal = null;
            StorageFailed?.Invoke(StorageError);
        }
    }

    /// <summary>
    /// The interval values that come from its merged histograms (the scheduler-lag maximum also from the ticks'
    /// own lag), written into <paramref name="values"/>: one definition for live intervals and for merged agents'.
    /// </summary>
    public static void PutHistogramValues(IReadOnlyList<HistogramBase> merged, double tickLagMs, IDictionary<string, double> values)
    {
        var total = merged[(int)BurstPhase.Total];
        var lag = merged[(int)BurstPhase.SchedulerLag];
        values["schedulerLagP99Ms"] = LatencyHistograms.PercentileMs(lag, 99);
        values["schedulerLagMaxMs"] = Math.Max(LatencyHistograms.MaxMs(lag), tickLagMs);
        values["total_count"] = total.TotalCount;
        values["total_min"] = LatencyHistograms.MinMs(total);
        values["total_p50"] = LatencyHistograms.PercentileMs(total, 50);
        values["total_p90"] = LatencyHistograms.PercentileMs(total, 90);
        values["total_p99"] = LatencyHistograms.PercentileMs(total, 99);
        values["total_max"] = LatencyHistograms.MaxMs(total);
        foreach (var p in new[] { BurstPhase.Tcp, BurstPhase.Tls, BurstPhase.Connack })
        {
            values[$"{p.Name()}_p50"] = LatencyHistograms.PercentileMs(merged[(int)p], 50);
            values[$"{p.Name()}_p99"] = LatencyHistograms.PercentileMs(merged[(int)p], 99);
        }
    }

    private static long FailedIn(CounterSnapshot c) => Enum.GetValues<FailureKind>().Sum(k => c.Total(k.Name()));

    /// <summary>Writes counts, latency phases, intervals and the "generator" section into <paramref name="doc"/>.</summary>
    public void Fill(ResultsDocument doc, double parentCpuSeconds)
    {
        Flush();
        doc.Counts.Attempted = _totals.Total("attempted");
        doc.Counts.Connacks = _totals.Total("connacks");
        doc.Counts.Connected = _gauges.Gauge("connectedNow");
        foreach (var (reason, n) in _totals.Failures) doc.Counts.Failed[reason] = n;
        foreach (var (name, n) in _totals.Totals)
            if (name is not ("attempted" or "connacks")) doc.Counts.Other[name] = n;
        doc.Counts.Other["connectedNow"] = _gauges.Gauge("connectedNow");
        BurstPhases.SummarizeInto(_cumulative, doc.Latency);
        RestoreSpilledHistograms();
        doc.Intervals = Intervals;

        var lag = LatencyHistograms.Summarize(_cumulative[(int)BurstPhase.SchedulerLag]);
        var cpu = _usage.Values.Sum(u => u.CpuSeconds) + parentCpuSeconds;
        var attempted = Math.Max(1, doc.Counts.Attempted);
        doc.Sections["generator"] = new JsonObject
        {
            ["workers"] = _shards,
            ["cpuSeconds"] = Math.Round(cpu, 3),
            ["cpuMsPerAttempt"] = Math.Round(cpu * 1000 / attempted, 3),
            ["rssBytes"] = _usage.Values.Sum(u => u.RssBytes),
            ["peakRssBytes"] = _peakRss,
            ["schedulerLagMs"] = new JsonObject
            {
                ["p50"] = lag.P50, ["p99"] = lag.P99, ["p999"] = lag.P999, ["max"] = Math.Max(lag.Max, _maxTickLagMs), ["avg"] = lag.Avg,
            },
            ["maxTickLagMs"] = _maxTickLagMs,
            // The collector pauses every thread, the event loops too: a pause is scheduler lag the loops could not avoid.
            ["gcPauseMs"] = Math.Round(_usage.Values.Sum(u => u.GcPauseMs), 1),
            ["gcCollections"] = new JsonArray([.. Enumerable.Range(0, 3)
                .Select(g => (JsonNode)_usage.Values.Sum(u => u.GcCollections.Length > g ? u.GcCollections[g] : 0))]),
            ["behindThresholdMs"] = _behindThresholdMs,
            ["behindIntervals"] = _behindIntervals,
            ["fellBehind"] = _behindIntervals > 0,
        };
        if (Stages is not null) doc.Sections[StageResults.Section] = StageResults.ToJson(Stages, _t0, _stageParts);
        if (_lost.Count > 0)
        {
            doc.Sections["lostWorkers"] = new JsonArray(_lost.Select(kv => (JsonNode)new JsonObject
            {
                ["worker"] = kv.Key, ["of"] = _shards, ["exit"] = kv.Value.Exit, ["lastInterval"] = kv.Value.LastInterval,
            }).ToArray());
        }
    }

    /// <summary>Puts back the histograms the journal holds (it is still there: the run deletes it after its results JSON).</summary>
    private void RestoreSpilledHistograms()
    {
        if (_spilled == 0 || _journalPath is null) return;
        List<IntervalSnapshot> written;
        try { written = ResultsJournal.ReadIntervals(_journalPath); }
        catch (IOException) { return; } // the intervals keep their values; the run's latency comes from the cumulative histograms
        for (int i = 0; i < Math.Min(_spilled, written.Count); i++)
        {
            var iv = Intervals[i];
            if (iv.Histograms is null && iv.Seconds == written[i].Seconds) iv.Histograms = written[i].Histograms;
        }
        _spilled = 0;
    }

    /// <summary>The merged cumulative histogram of a phase (for tests and renderers that want the raw distribution).</summary>
    public HistogramBase Cumulative(BurstPhase phase) => _cumulative[(int)phase];

    public void Dispose()
    {
        try { _csv?.Dispose(); } catch (IOException) { /* the error was reported when the write failed */ }
        try { _hlog?.Dispose(); } catch (IOException) { }
    }
}
