using System.Globalization;
using System.Text;
using ConnBurst.Export;

namespace ConnBurst.Monitor;

/// <summary>
/// The monitor's engine: samples every interval (always, so Graphite sees the machine between recordings),
/// appends samples to the current recording, and starts, stops and writes recordings for the control protocol.
/// One lock guards the sampler and the recording; commands hold it for microseconds, never while files are written.
/// </summary>
internal sealed class MonitorService : IDisposable
{
    private readonly MonitorOptions _options;
    private readonly SystemSampler _sampler;
    private readonly GraphitePlaintextExporter? _graphite;
    private readonly byte[][] _graphitePaths;
    private readonly TextWriter _out;
    private readonly TextWriter _err;
    private readonly Lock _gate = new();
    private readonly List<Task> _writes = new();
    private PeriodicTimer? _timer;
    private Recording? _recording;
    private RecordingJournal? _journal;
    private long _lastSampleTimestamp;
    private MonitorSummary? _lastSummary;
    /// <summary>The last finished recording's CPU series (SAMPLES), as one JSON line.</summary>
    private string? _lastSamples;
    /// <summary>Agents in the recording a JOIN started (0: one a START started, which only STOP ends).</summary>
    private int _joined;
    /// <summary>When a joined recording ends itself if its agents never all LEAVE (JOIN's UNTIL), or null.</summary>
    private DateTimeOffset? _until;

    private readonly RecordingWriter _write;
    private readonly Perf.PerfWatch? _perf;
    private readonly int _processCpuAt;

    /// <param name="write">Writes a finished recording's files (the chat benchmark's txt and png, the results JSON): the
    /// renderers live above the monitor, in Reporting, and the caller hands them in.</param>
    internal MonitorService(MonitorOptions options, SystemSampler sampler, GraphitePlaintextExporter? graphite, TextWriter output,
        TextWriter errors, RecordingWriter write)
    {
        _write = write;
        _options = options;
        _sampler = sampler;
        _graphite = graphite;
        _out = output;
        _err = errors;
        _perf = options.Perf is { } perf ? new Perf.PerfWatch(perf) : null;
        _processCpuAt = sampler.IndexOf("process.cpuPercent");
        _graphitePaths = sampler.Columns.Select(c => Encoding.UTF8.GetBytes(options.GraphitePrefix + "." + c)).ToArray();
    }

    /// <summary>The results JSON of the last recording written, printed as the monitor's last line on exit.</summary>
    public string? LastResultsPath { get; private set; }

    /// <summary>Samples that took longer than the interval (the machine is overloaded or /proc/net/tcp is huge).</summary>
    public long OverrunSamples { get; private set; }

    public bool IsRecording { get { lock (_gate) return _recording is not null; } }

    /// <summary>The sampler's columns and a copy of the latest sample (NaN where no value), for scrapers.</summary>
    public (IReadOnlyList<string> Columns, double[] Values) Latest()
    {
        lock (_gate) return (_sampler.Columns, (double[])_sampler.Values.Clone());
    }

    /// <summary>Samples until <paramref name="ct"/> is cancelled (Ctrl-C), then writes a recording still in progress as
    /// "interrupted".</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        lock (_gate) SampleLocked();
        using var timer = new PeriodicTimer(_options.Interval);
        _timer = timer;
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) Tick();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        RecordingResult? last;
        lock (_gate) last = _recording is null ? null : FinishLocked("interrupted");
        if (last is not null) WriteAndReport(last);
        Task[] pending;
        lock (_writes) pending = _writes.ToArray();
        Task.WaitAll(pending, TimeSpan.FromSeconds(60));
    }

    private void Tick()
    {
        RecordingResult? expired = null;
        lock (_gate)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var ready = SampleLocked();
            if (ready && _recording is not null)
            {
                AppendLocked(_recording);
                if (_perf is not null && _processCpuAt >= 0)
                    _perf.OnSample(_sampler.Values[_processCpuAt], _sampler.Target?.Pid, _recording.Elapsed.TotalSeconds, _out.WriteLine);
                if (_until is { } until && DateTimeOffset.UtcNow >= until)
                {
                    _err.WriteLine($"monitor: recording '{_recording.Label}' reached its UNTIL time with {_joined} agent(s) still in; " +
                                   "ending and writing it");
                    expired = FinishLocked("completed");
                }
                else if (_recording.Elapsed >= _options.MaxRecording)
                {
                    _err.WriteLine(
                        $"monitor: recording '{_recording.Label}' reached --max-recording " +
                        $"{Common.Durations.Format(_options.MaxRecording)} without STOP; ending and writing it");
                    expired = FinishLocked("timeout");
                }
            }
            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > _options.Interval) OverrunSamples++;
            if (ready) ExportLocked();
        }
        if (expired is not null) WriteInBackground(expired);
    }

    private bool SampleLocked()
    {
        _lastSampleTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        return _sampler.Sample();
    }

    private void ExportLocked()
    {
        if (_graphite is null) return;
        var epoch = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var values = _sampler.Values;
        for (var i = 0; i < values.Length; i++) _graphite.Enqueue(_graphitePaths[i], values[i], epoch);
        _graphite.Flush();
    }

    /// <summary>
    /// JOIN: the agents of one multi-agent run share one recording, named by the run (docs/monitor-protocol.md, "Recordings
    /// shared by the agents of one run"): the first JOIN starts it, each later JOIN with the same label joins it, and it
    /// ends at the last LEAVE or at UNTIL, whichever comes first.
    /// </summary>
    public string Join(string argument)
    {
        var words = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var untilAt = Array.FindIndex(words, w => w.Equals("UNTIL", StringComparison.OrdinalIgnoreCase));
        DateTimeOffset? until = null;
        if (untilAt >= 0)
        {
            if (untilAt + 1 >= words.Length || !DateTimeOffset.TryParse(words[untilAt + 1], CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal, out var u))
            {
                return "ERR JOIN: UNTIL takes an RFC 3339 time (2026-12-07T20:00:00Z)";
            }
            until = u;
            words = words[..untilAt];
        }
        var label = string.Join(' ', words);
        if (label.Length == 0) return "ERR JOIN: give the run's label (the same on every agent)";
        lock (_gate)
        {
            if (_recording is not null)
            {
                if (_joined == 0 || _recording.Label != label) return AlreadyRecordingLocked();
                _joined++;
                if (until is { } later && (_until is null || later > _until)) _until = later;
                return $"OK joined {label} agents={_joined}";
            }
            StartLocked(label);
            _joined = 1;
            _until = until;
        }
        _out.WriteLine($"recording '{label}' started by JOIN");
        return $"OK joined {label} agents=1";
    }

    /// <summary>LEAVE: one agent of a joined recording is done; the last one ends it as STOP does.</summary>
    public async Task<string> LeaveAsync()
    {
        lock (_gate)
        {
            if (_recording is null) return "ERR not recording (send JOIN first)";
            if (_joined == 0) return "ERR this recording was started by START; end it with STOP";
            if (--_joined > 0) return $"OK left {_recording.Label} agents={_joined} recording goes on";
        }
        return await StopAsync();
    }

    /// <summary>SAMPLES: the last finished recording's CPU series as one JSON line (<see cref="CpuSamples"/>).</summary>
    public string Samples()
    {
        lock (_gate) return _lastSamples ?? "ERR no recording has finished yet";
    }

    private string AlreadyRecordingLocked() =>
        $"ERR already recording '{_recording!.Label}' for " +
        $"{_recording.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s; send STOP first";

    /// <summary>START: begins a recording, or says why not.</summary>
    public string Start(string label)
    {
        lock (_gate)
        {
            if (_recording is not null) return AlreadyRecordingLocked();
            StartLocked(label);
        }
        _out.WriteLine($"recording '{label}' started");
        return label.Length > 0 ? $"OK started {label}" : "OK started";
    }

    private void StartLocked(string label)
    {
        // Sample now and restart the interval clock, so the first sample covers exactly the first interval after START.
        SampleLocked();
        _sampler.DumpSocketsAtNextSample();
        if (_timer is not null) _timer.Period = _options.Interval;
        _recording = new Recording(label, _sampler.Columns, InitialCapacity());
        var target = _sampler.Target;
        _journal = RecordingJournal.Start(_options.ResultsDir, _recording, _options.Interval, _sampler.Cores, _sampler.Port,
            target is null ? null : target.Current?.Name ?? target.Name, target is null ? null : target.Current?.Pid ?? target.FixedPid,
            _options.ToJson(), _err.WriteLine);
        _sampler.Target?.MarkBaseline();
        _perf?.Reset();
    }

    /// <summary>STOP: ends the recording, writes its files and answers with the JSON path.</summary>
    public async Task<string> StopAsync()
    {
        RecordingResult result;
        lock (_gate)
        {
            if (_recording is null) return "ERR not recording (send START first)";
            result = FinishLocked("completed");
        }
        var written = await Task.Run(() => WriteAndReport(result));
        return written is null
            ? "ERR recording could not be written (see the monitor's log)"
            : string.Create(CultureInfo.InvariantCulture,
            $"OK stopped samples={written.Summary.Samples} seconds={written.Summary.Seconds:0.0} json={written.JsonPath}");
    }

    public string Status()
    {
        lock (_gate)
        {
            if (_recording is { } r)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"OK recording seconds={r.Elapsed.TotalSeconds:0.0} samples={r.Count} label={r.Label}");
            }
            return _lastSummary is { } s ? $"OK idle last={s.Label}" : "OK idle";
        }
    }

    /// <summary>SUMMARY: the last finished recording's summary as one JSON line.</summary>
    public string Summary()
    {
        lock (_gate) return _lastSummary?.ToJsonLine() ?? "ERR no recording has finished yet";
    }

    private RecordingResult FinishLocked(string outcome)
    {
        var rec = _recording!;
        // Keep the partial interval since the last tick unless it is too short to measure CPU over (ticks are 10 ms).
        if (System.Diagnostics.Stopwatch.GetElapsedTime(_lastSampleTimestamp) >= _options.Interval / 4 && SampleLocked())
            AppendLocked(rec);
        var target = _sampler.Target;
        var reader = target?.Current;
        var result = new RecordingResult(
            rec, outcome, DateTimeOffset.Now, _options.Interval, _sampler.Cores, _sampler.Port,
            target is null ? null : reader?.Name ?? target.Name,
            target is null ? null : reader?.Pid ?? target.FixedPid,
            reader?.CpuSecondsSinceBaseline ?? 0,
            reader?.ThreadTable(MonitorJson.ThreadRows) ?? [],
            _options.ToJson(),
            _perf?.Detach(),
            Journal: _journal);
        result.Config["label"] = rec.Label;
        target?.ClearBaseline();
        _lastSamples = CpuSamplesOf(rec, _options.Interval, _sampler.Cores).ToJson().ToJsonString();
        _recording = null;
        _joined = 0;
        _until = null;
        _journal = null;
        return result;
    }

    /// <summary>A sample into the recording and, as it comes, into its journal.</summary>
    private void AppendLocked(Recording rec)
    {
        rec.Append(_sampler.Values);
        _journal?.Append(rec.Times[^1], _sampler.Values, _err.WriteLine);
    }

    private void WriteInBackground(RecordingResult result)
    {
        var task = Task.Run(() => WriteAndReport(result));
        lock (_writes)
        {
            _writes.RemoveAll(t => t.IsCompleted);
            _writes.Add(task);
        }
    }

    private RecordingFiles? WriteAndReport(RecordingResult result)
    {
        try
        {
            if (result.PendingPerf is { } probe)
            {
                result = result with { Perf = probe.Complete(result.ThreadName), PendingPerf = null };
                _out.WriteLine(result.Perf.Ok ? $"perf: {result.Perf.Note}" : result.Perf.Note);
            }
            var written = _write(result, _options.ResultsDir);
            foreach (var p in written.Problems) _err.WriteLine($"monitor: could not write {p}");
            result.Journal?.Complete(); // the results JSON is written (a chart that failed is not data lost)
            lock (_gate)
            {
                _lastSummary = written.Summary;
                LastResultsPath = written.JsonPath;
            }
            _out.WriteLine(
                $"recording '{result.Recording.Label}' {result.Outcome}: {written.Summary.Samples} samples over " +
                $"{written.Summary.Seconds:0.0} s, busiest core avg {written.Summary.Cpu.MaxCoreAvgBusy:0.0}% busy -> {written.JsonPath}");
            return written;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever went wrong, the monitor keeps running and the next recording can still be written.
            _err.WriteLine($"monitor: could not write recording '{result.Recording.Label}': {e.GetType().Name}: {e.Message}");
            result.Journal?.Dispose(); // it stays on disk: report reads it as the recording, interrupted
            if (Environment.GetEnvironmentVariable("CONNBURST_DEBUG") == "1") _err.WriteLine(e);
            return null;
        }
    }

    /// <summary>A recording's CPU series for SAMPLES: each core's busy %, the machine's, and the watched process's CPU.</summary>
    private static Results.CpuSamples CpuSamplesOf(Recording rec, TimeSpan interval, int cores)
    {
        double?[] Series(string column)
        {
            if (!rec.Columns.Contains(column)) return new double?[rec.Count];
            var values = rec.Column(column);
            var s = new double?[values.Length];
            for (int i = 0; i < values.Length; i++) s[i] = double.IsNaN(values[i]) ? null : values[i];
            return s;
        }
        return new Results.CpuSamples
        {
            Label = rec.Label,
            StartedAt = rec.StartedAt,
            IntervalMs = interval.TotalMilliseconds,
            T = rec.Times.ToArray(),
            CoreBusy = Enumerable.Range(0, cores).Select(c => Series($"cpu.cpu{c}.busy")).ToArray(),
            TotalBusy = Series("cpu.total.busy"),
            ProcessCpu = rec.Columns.Contains("process.cpuPercent") ? Series("process.cpuPercent") : null,
        };
    }

    private int InitialCapacity()
    {
        var expected = _options.MaxRecording / _options.Interval;
        return (int)Math.Clamp(expected + 2, 16, 1024);
    }

    public void Dispose() => _sampler.Dispose();
}
