using System.Diagnostics;
using ConnBurst.Recording;


namespace ConnBurst.Load;

/// <summary>How a run (or one worker's share of it) ended; the results' "outcome".</summary>
internal static class BurstOutcomes
{
    public const string Completed = "completed";
    public const string Interrupted = "interrupted";
    public const string PeerLost = "peer-lost";
    public const string Failed = "failed";
    /// <summary>Some of the run's processes were lost (a worker killed, a shard missing from a merge); the rest is kept.</summary>
    public const string Partial = "partial";
}

/// <summary>
/// One process's share of a burst: its clients' registry, the pacer, and ONE scheduler thread whose tick (1 ms at high rates, up to 10 ms
/// when nothing is due sooner)
/// launches every due attempt, and whose heartbeat (every 100 ms) enforces connect timeouts, linger, keepalive and
/// reconnect delays for every connection (docs/DECISIONS.md, "Load: open-loop pacing from one scheduler tick", "One clock for every
/// connection"). On the OpenSSL engine that thread only decides
/// when the run stops and takes snapshots: pacing, deadlines and every connection's I/O belong to one event loop per
/// core (BurstEngine.Loop.cs). On SslStream, connection I/O runs on the thread pool (BurstEngine.Connection.cs).
/// Emits an <see cref="IntervalReport"/> per snapshot period.
/// </summary>
internal sealed partial class BurstEngine
{
    private static readonly long Frequency = Stopwatch.Frequency;
    private static readonly long HeartbeatTicks = Frequency / 10;

    private readonly BurstPlan _plan;
    private readonly BurstOptions _o;
    private readonly int _shard;
    private readonly ClientSlot[] _slots;
    private readonly Pacer _pacer;
    /// <summary>When this engine's first attempt is due.</summary>
    private readonly long _t0;
    private readonly long _globalT0;
    /// <summary>The clients this engine runs, as a part of the whole run: its slots of <see cref="_schedule"/>.</summary>
    private readonly Shard _part;
    /// <summary>The whole run's arrival schedule: a constant rate, or the stages of <c>--stages</c>.</summary>
    private readonly Stages.ArrivalSchedule _schedule;
    /// <summary>A staged run's per-stage recording (null without <c>--stages</c>).</summary>
    private readonly StageRecorders? _stages;
    /// <summary>A staged run's last stage's end; attempts then stop, and the run ends once they have settled.</summary>
    private readonly long _planEnd = long.MaxValue;
    private readonly long _timeoutTicks;
    private readonly long _keepAliveTicks;
    /// <summary>How long a PINGRESP may take: half the keepalive (at least a second), as MQTT clients commonly allow.</summary>
    private readonly long _pongTimeoutTicks;
    private readonly bool _cycles;
    /// <summary><see cref="BurstOptions.TlsOnly"/>, read once: the connect path tests this field, nothing more.</summary>
    private readonly bool _tlsOnly;
    private readonly Action<string>? _log;
    private volatile bool _stopping;
    private int _consecutiveRefused;
    private double _maxTickLagMs;

    public PhaseRecorders Recorders { get; } = new();
    public BurstCounters Counters { get; } = new();
    /// <summary>Clients in this shard.</summary>
    public int ClientCount => _slots.Length;

    /// <param name="part">The clients this engine runs, as a part of the whole run (an agent's, or a worker's inside it).</param>
    /// <param name="startAt">The run's t0 on the wall clock (shared by every agent and worker); attempts start then.</param>
    public BurstEngine(BurstPlan plan, Shard part, DateTimeOffset startAt, Action<string>? log = null)
    {
        _plan = plan;
        _o = plan.Options;
        _shard = part.Index;
        _log = log;
        var count = part.ClientsOf(plan.Clients);
        _slots = new ClientSlot[count];
        for (int k = 0; k < count; k++) _slots[k] = new ClientSlot(k, part.GlobalClient(k));
        // t0 on the monotonic clock: the wall clock is read once, here; every due time after it is Stopwatch ticks.
        var untilStart = (startAt - DateTimeOffset.UtcNow).TotalSeconds;
        _globalT0 = Stopwatch.GetTimestamp() + (long)(Math.Max(0, untilStart) * Frequency);
        _part = part;
        _schedule = _o.Schedule;
        _pacer = new Pacer(_globalT0, _schedule, part, count, Frequency);
        _t0 = _pacer.FirstSlot;
        if (_o.Stages is { } stages)
        {
            _stages = new StageRecorders(stages, _globalT0, _o.ConnectTimeout, Frequency);
            _planEnd = _globalT0 + (long)(stages.TotalSeconds * Frequency);
        }
        _timeoutTicks = (long)(_o.ConnectTimeout.TotalSeconds * Frequency);
        _keepAliveTicks = (long)(_o.KeepAlive.TotalSeconds * Frequency);
        _pongTimeoutTicks = (long)(Math.Max(1, _o.KeepAlive.TotalSeconds / 2) * Frequency);
        _cycles = plan.Cycles;
        _tlsOnly = _o.TlsOnly;
        Common.GlibcMalloc.LimitArenas(); // before the thread pool's threads start handshaking
    }

    /// <summary>
    /// Runs this shard to its end (duration, natural completion, cancellation, or the server gone), then closes every
    /// connection and emits the final report. Blocks a dedicated thread; await the returned task.
    /// </summary>
    public Task<string> RunAsync(Action<IntervalReport> onReport, CancellationToken ct)
    {
        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            SchedulerThreadPriority.TryRaise();
            try { done.SetResult(Schedule(onReport, ct)); }
            catch (Exception e) { done.SetException(e); }
        }) { IsBackground = true, Name = $"connburst-scheduler-{_shard}", Priority = ThreadPriority.AboveNormal };
        thread.Start();
        return done.Task;
    }

    private string Schedule(Action<IntervalReport> onReport, CancellationToken ct)
    {
        // Snapshots are taken, merged and written on a thread of their own: copying and encoding six histograms can
        // take tens of milliseconds on a busy machine, which would otherwise delay the tick and every attempt due in it.
        using var snapshots = new Common.HandOffQueue<(int Index, double End, bool Final, long? Connected)>();
        var reporter = new Thread(() =>
        {
            foreach (var (i, endS, final, connected) in snapshots.GetConsumingEnumerable())
            {
                Report(onReport, () => TakeReport(i, endS, final, connected));
                Common.GlibcMalloc.Trim(); // what the last period's handshakes freed goes back to the kernel, off the tick
            }
        }) { IsBackground = true, Name = $"connburst-snapshots-{_shard}" };
        reporter.Start();
        var due = new List<DueAttempt>(1024);
        long periodTicks = (long)(_o.Snapshot.TotalSeconds * Frequency);
        long nextSnapshot = _globalT0 + periodTicks;
        // A staged run ends when the last stage's attempts have settled, at most a connect timeout after its end.
        long end = _o.Stages is not null ? _planEnd + _timeoutTicks
            : _o.Duration is { } d ? _globalT0 + (long)(d.TotalSeconds * Frequency) : long.MaxValue;
        long oneMs = Frequency / 1000;
        long nextHeartbeat = 0, stopDeadline = 0, lastWake = Stopwatch.GetTimestamp(), asked = oneMs;
        int index = 0;
        var loops = _o.TlsEngine == Tls.TlsEngine.OpenSsl;
        if (loops) StartLoops();
        string outcome = BurstOutcomes.Completed;
        long connectedAtStop = 0;
        var peerLostAfter = StopRules.PeerLostAfter(_part.RateOf(_schedule.MaxRate)); // the refusals counted are this engine's own

        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            // How late this tick woke against the sleep it asked for: the scheduler's own lag.
            var tickLagMs = (now - lastWake - asked) * 1000.0 / Frequency;
            if (tickLagMs > _maxTickLagMs && !loops) _maxTickLagMs = tickLagMs; // with loops, they launch, and they measure their own
            lastWake = now;
            _stages?.NoteTime(now);

            if (!_stopping)
            {
                var stopBecause = Faulted ?? StopRules.Decide(new StopInputs(ct.IsCancellationRequested, now, end, _o.RunLength is not null,
                    Volatile.Read(ref _consecutiveRefused), peerLostAfter, Counters.ConnectedNow, _cycles,
                        loops ? LoopsPending() : _pacer.Pending, Counters.InFlight) { PlanEnd = _planEnd });
                if (stopBecause is not null)
                {
                    outcome = stopBecause;
                    if (stopBecause == BurstOutcomes.PeerLost)
                        _log?.Invoke("the server is gone (every recent attempt was refused); stopping");
                    connectedAtStop = Counters.ConnectedNow;
                    _stopping = true;
                    stopDeadline = now + Frequency * 5;
                    if (loops) WakeLoops();
                    else CloseAll();
                }
            }

            if (!loops)
            {
                if (!_stopping && now >= _t0)
                {
                    due.Clear();
                    _pacer.TakeDue(now, due);
                    foreach (var a in due) Launch(_slots[a.Client], a.DueTicks);
                }

                RunTimers(now);
            }

            if (now >= nextHeartbeat)
            {
                if (!loops) Heartbeat(now);
                nextHeartbeat = now + HeartbeatTicks;
            }

            if (now >= nextSnapshot && !_stopping)
            {
                snapshots.Add((index++, (nextSnapshot - _globalT0) / (double)Frequency, false, null));
                nextSnapshot += periodTicks;
            }

            if (_stopping && ((Counters.InFlight <= 0 && Counters.ConnectedNow <= 0) || now >= stopDeadline))
            {
                if (now >= stopDeadline && !loops)
                {
                    foreach (var s in _slots)
                        if (s.Current is ClientState.Connecting or ClientState.Connected or ClientState.Closing) s.Abort();
                }
                break;
            }
            asked = loops
                ? WaitForControl(now, Math.Min(Math.Min(nextHeartbeat, nextSnapshot),
                Math.Min(end, _stopping ? stopDeadline : long.MaxValue)), ct)
                : SleepUntilNextDeadline(now, Math.Min(Math.Min(nextHeartbeat, nextSnapshot), end));
        }
        if (loops) FinishLoops(); // aborts what the stop deadline left open, and waits for the loops to exit
        // Give aborted I/O a moment to be counted before the final report.
        var settle = Stopwatch.GetTimestamp() + Frequency / 2;
        while (Counters.InFlight > 0 && Stopwatch.GetTimestamp() < settle) Thread.Sleep(5);
        var endSeconds = (Stopwatch.GetTimestamp() - _globalT0) / (double)Frequency;
        snapshots.Add((index, Math.Max(endSeconds, 0.001), true, connectedAtStop));
        snapshots.CompleteAdding();
        reporter.Join();
        return Faulted ?? outcome; // an error in the last snapshot fails the run too
    }

    private IntervalReport TakeReport(int index, double endSeconds, bool final, long? connectedAtStop)
    {
        var swapped = Recorders.Swap(); // the latency cut, then the counters' right after it (PhaseRecorders.Swap)
        var counters = Counters.TakeDelta();
        if (connectedAtStop is { } c) counters.Gauges["connectedNow"] = c;
        var lag = Math.Max(_maxTickLagMs, Interlocked.Exchange(ref _maxLoopLagTicks, 0) * 1000.0 / Frequency);
        _maxTickLagMs = 0;
        return new IntervalReport
        {
            Shard = 0, // the worker pool stamps its worker's number; in-process there is one
            Index = index,
            EndSeconds = endSeconds,
            Final = final,
            Counters = counters,
            Histograms = Recorders.Copy(swapped),
            Stages = _stages?.TakeSettled(Stopwatch.GetTimestamp(), final) is { Count: > 0 } settled ? settled : null,
            HistogramsOwner = Recorders.Return, // whoever consumes the report gives them back (ReleaseHistograms)
            Usage = GeneratorUsage.Now(Math.Max(0, lag)),
        };
    }

    private void Launch(ClientSlot slot, long dueTicks)
    {
        BeginAttempt(slot, dueTicks);
        // The connect starts on the thread pool: its synchronous part (socket, connect(2), the TLS ClientHello, the
        // first call's JIT) never delays the tick. Its lag is measured where it really starts (ConnectAsync).
        ThreadPool.UnsafeQueueUserWorkItem(static a => _ = a.Engine.ConnectAsync(a.Slot, a.Due), (Engine: this, Slot: slot, Due: dueTicks),
            preferLocal: false);
    }

    /// <summary>Linger ends and reconnect delays, posted from connection I/O, ordered on the scheduler thread.</summary>
    private readonly DeadlineQueue _deadlines = new();

    /// <summary>Arms a linger or reconnect deadline (any thread); one due sooner than the planned wake wakes the scheduler.</summary>
    private void Arm(ClientSlot slot, long due, DeadlineKind kind)
    {
        _deadlines.Arm(slot, due, kind);
        if (due < Volatile.Read(ref _plannedWake)) _wakeEarly.Set();
    }

    /// <summary>When the scheduler means to wake next; an <see cref="Arm"/> due sooner wakes it early.</summary>
    private long _plannedWake;
    private readonly ManualResetEventSlim _wakeEarly = new(false, spinCount: 0);

    /// <summary>
    /// Sleeps until the next attempt or deadline is due (1..10 ms), not a fixed 1 ms: at 100 connects/s a fixed tick
    /// woke the thread ten times per connect for nothing. Returns the ticks it asked to sleep, for the tick-lag figure.
    /// </summary>
    private long SleepUntilNextDeadline(long now, long nextFixed)
    {
        long oneMs = Frequency / 1000;
        long wake = nextFixed;
        if (!_stopping)
        {
            if (now < _t0) wake = Math.Min(wake, _t0);
            else if (_pacer.NextDue() is { } due) wake = Math.Min(wake, due);
            if (_deadlines.TryPeekDue(out var timer)) wake = Math.Min(wake, timer);
        }
        long ms = _stopping ? 1 : Math.Clamp((wake - now + oneMs - 1) / oneMs, 1, 10);
        Interlocked.Exchange(ref _plannedWake, now + ms * oneMs); // a full fence: an Arm after this sees it, one before it is in the inbox
        if (_deadlines.HasNew) return 0;
        if (_wakeEarly.Wait((int)ms)) _wakeEarly.Reset();
        return ms * oneMs;
    }

    /// <summary>
    /// With event loops the scheduler only decides when to stop and takes snapshots: it sleeps until the next heartbeat,
    /// snapshot or the run's end, and Ctrl-C wakes it at once.
    /// </summary>
    private long WaitForControl(long now, long next, CancellationToken ct)
    {
        long ms = Math.Clamp((((next - now) * 1000) + Frequency - 1) / Frequency, 1, _stopping ? 10 : 100);
        // Once cancelled the handle no longer waits: sleep instead, while the loops close (bounded by the stop deadline).
        if (ct.IsCancellationRequested) Thread.Sleep((int)ms);
        else ct.WaitHandle.WaitOne((int)ms);
        return ms * Frequency / 1000;
    }

    /// <summary>
    /// The deadlines that shape the load (linger, reconnect) run on the 1 ms tick from a priority queue, so a reconnect
    /// wave is released on time; the 100 ms heartbeat walk keeps the coarse ones (connect timeout, keepalive).
    /// </summary>
    private void RunTimers(long now)
    {
        while (_deadlines.TryTakeDue(now, out var slot, out var kind, out var due))
        {
            if (kind == DeadlineKind.Linger)
            {
                if (slot.TryMove(ClientState.Connected, ClientState.Closing)) _ = DisconnectAsync(slot);
            }
            else if (!_stopping && slot.TryMove(ClientState.ReconnectWait, ClientState.Waiting))
            {
                _pacer.EnqueueReconnect(slot.Local, due);
            }
        }
    }

    /// <summary>The one clock's walk over every connection: compare stored deadlines, act on the expired ones.</summary>
    private void Heartbeat(long now)
    {
        foreach (var s in _slots)
        {
            switch (HeartbeatRules.Decide(s.Current, now, s.Deadline, s.NextPing, Volatile.Read(ref s.PongDue)))
            {
                case HeartbeatAction.TimeOut:
                    if (s.TryMove(ClientState.Connecting, ClientState.Closing))
                    {
                        s.TimedOut = true;
                        s.Abort();
                    }
                    break;
                case HeartbeatAction.KeepaliveLost:
                    s.KeepaliveExpired = true;
                    s.PongDue = 0;
                    s.Abort();
                    break;
                case HeartbeatAction.Ping:
                    s.NextPing = now + _keepAliveTicks;
                    Volatile.Write(ref s.PongDue, now + _pongTimeoutTicks);
                    _ = PingAsync(s);
                    break;
            }
        }
    }

    private void CloseAll()
    {
        foreach (var s in _slots)
        {
            switch (s.Current)
            {
                case ClientState.Connected:
                    if (s.TryMove(ClientState.Connected, ClientState.Closing)) _ = DisconnectAsync(s);
                    break;
                case ClientState.Waiting or ClientState.ReconnectWait:
                    s.Set(ClientState.Done);
                    break;
            }
        }
    }

    /// <summary>After a client's connection is over: queue its next cycle, or finish it.</summary>
    private void AfterClose(ClientSlot slot, long now)
    {
        slot.Socket = null;
        slot.Tls = null;
        if (NextCycle(slot, now) is { } reconnect) Arm(slot, reconnect, DeadlineKind.Reconnect);
    }
}
