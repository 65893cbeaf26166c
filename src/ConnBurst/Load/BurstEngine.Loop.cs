using System.Buffers;
using System.Diagnostics;
using ConnBurst.Mqtt;
using ConnBurst.Recording;
using ConnBurst.Tls.OpenSsl;
using ConnBurst.Transport;

namespace ConnBurst.Load;

/// <summary>
/// The native engine's I/O (docs/DECISIONS.md, "Load: one event loop per core owns each native-engine connection end to
/// end"): one event loop thread per core, each owning every K-th client of this engine
/// end to end, from its due time through the non-blocking connect, the TLS handshake (libssl on the descriptor),
/// CONNECT/CONNACK, the hold with its keepalive, to DISCONNECT and close (with <c>--tls-only</c>: from the handshake
/// straight to the hold, and a close_notify instead of DISCONNECT). Nothing is handed to another thread on the
/// way: the profile of the thread-pool design spent about a third of the generator's CPU on those hand-offs.
/// Each loop paces its clients as part j of K of the engine's schedule (<see cref="Shard"/>'s arithmetic, as workers
/// do), so the union of the loops' due times is the engine's open-loop schedule. A loop blocks in epoll_wait until a
/// socket is ready or its next due time, deadline or heartbeat comes: idle is blocked, never spinning. This file has
/// the loop and each attempt's way to connected; BurstEngine.LoopHold.cs what follows.
/// </summary>
internal sealed partial class BurstEngine
{
    /// <summary>The event loops (the OpenSSL engine), or null (SslStream: the thread-pool path of BurstEngine.Connection.cs).</summary>
    private EventLoop[]? _loops;
    /// <summary>Set by the scheduler when the run's last moment has come: each loop aborts what it still has and exits.</summary>
    private volatile bool _loopsFinish;
    /// <summary>The loops' worst wake-up lateness since the last report, in timestamp ticks.</summary>
    private long _maxLoopLagTicks;

    private void StartLoops()
    {
        var count = Math.Clamp(Environment.ProcessorCount, 1, Math.Max(1, _slots.Length));
        _loops = new EventLoop[count];
        for (int j = 0; j < count; j++) _loops[j] = new EventLoop(this, new Shard(j, count));
        foreach (var loop in _loops) loop.Start();
    }

    /// <summary>Attempts the loops have not released yet (published by each loop after it launched, so never early).</summary>
    private int LoopsPending()
    {
        int n = 0;
        foreach (var loop in _loops!) n += Volatile.Read(ref loop.Pending);
        return n;
    }

    private void WakeLoops()
    {
        foreach (var loop in _loops!) loop.Wake();
    }

    private void FinishLoops()
    {
        _loopsFinish = true;
        WakeLoops();
        foreach (var loop in _loops!) loop.Join();
    }

    private void NoteLoopLag(long ticks)
    {
        long seen;
        while (ticks > (seen = Volatile.Read(ref _maxLoopLagTicks))
            && Interlocked.CompareExchange(ref _maxLoopLagTicks, ticks, seen) != seen) { }
    }

    private sealed partial class EventLoop
    {
        private const uint Interest = EpollPoller.In | EpollPoller.Out | EpollPoller.RdHup | EpollPoller.EdgeTriggered;
        private readonly BurstEngine _e;
        private readonly Shard _part;
        private readonly Pacer _pacer;
        private readonly long _t0;
        /// <summary>Reconnect delays: their ends are due times of the schedule, so the loop wakes for them exactly.</summary>
        private readonly DeadlineQueue _reconnects = new();
        /// <summary>Linger ends, kept apart because one may wait up to <see cref="_lingerSlack"/> for a wake-up the loop
        /// has anyway.</summary>
        private readonly DeadlineQueue _lingers = new();
        /// <summary>
        /// How late a linger may end: 5% of the run's linger, at most 10 ms. A wake-up of its own for every linger end was
        /// about one of the six sleeps a connect costs the loop (each 40-60 us of kernel time on this machine, the event loops'
        /// profile in docs/BENCHMARKS.md); within the slack it rides on a launch or a handshake step that wakes the loop anyway. The next
        /// cycle
        /// is scheduled from the real disconnect, so the slack never shows as scheduler lag.
        /// </summary>
        private readonly long _lingerSlack;
        private readonly EpollPoller _poller = new();
        private readonly List<DueAttempt> _due = new(256);
        /// <summary>What a held connection reads (PINGRESP, a server DISCONNECT; TLS only: whatever the server sends, discarded)
        /// lands here: one buffer per loop, none per connection.</summary>
        private readonly byte[] _scratch = new byte[4096];
        private readonly Thread _thread;
        private bool _closedAll;
        /// <summary>Attempts not yet released by this loop's pacer.</summary>
        public int Pending;

        public EventLoop(BurstEngine engine, Shard part)
        {
            _e = engine;
            _part = part;
            _pacer = new Pacer(engine._globalT0, engine._schedule, engine._part.Within(part), part.ClientsOf(engine._slots.Length),
                Frequency);
            _t0 = _pacer.FirstSlot;
            Pending = _pacer.Pending;
            _lingerSlack = engine._o.Linger is { } linger ? Math.Min(Frequency / 100, (long)(linger.TotalSeconds * Frequency / 20)) : 0;
            _thread = new Thread(RunGuarded) { IsBackground = true, Name = $"connburst-loop-{engine._shard}.{part.Index}",
                Priority = ThreadPriority.AboveNormal };
        }

        public void Start() => _thread.Start();
        public void Wake() => _poller.Wake();

        public void Join()
        {
            _thread.Join();
            _poller.Dispose();
        }

        private ClientSlot SlotOf(int ordinal) => _e._slots[_part.GlobalClient(ordinal)];

        private void Run()
        {
            // The loop is the scheduler of its clients: a late wake-up is a late attempt.
            SchedulerThreadPriority.TryRaise();
            long nextHeartbeat = 0;
            long oneMs = Frequency / 1000;
            while (true)
            {
                long now = Stopwatch.GetTimestamp();
                _e.LoopTurnProbe?.Invoke(_part.Index);
                if (_e._loopsFinish)
                {
                    AbortAll();
                    return;
                }
                if (_e._stopping && !_closedAll)
                {
                    _closedAll = true;
                    CloseAll();
                }
                LaunchDue(now);
                RunTimers(now);
                if (now >= nextHeartbeat)
                {
                    Heartbeat(now);
                    nextHeartbeat = now + HeartbeatTicks;
                }

                long wake = nextHeartbeat;
                if (!_e._stopping)
                {
                    if (now < _t0) wake = Math.Min(wake, _t0);
                    else if (_pacer.NextDue() is { } due) wake = Math.Min(wake, due);
                }
                if (_reconnects.TryPeekDue(out var timer)) wake = Math.Min(wake, timer);
                if (_lingers.TryPeekDue(out var lingerEnd)) wake = Math.Min(wake, lingerEnd + _lingerSlack);
                now = Stopwatch.GetTimestamp();
                int ms = wake <= now ? 0 : (int)Math.Min((wake - now + oneMs - 1) / oneMs, 100);
                int n = _poller.Wait(ms);
                if (n == 0 && ms > 0) _e.NoteLoopLag(Stopwatch.GetTimestamp() - now - (ms * oneMs)); // woke late for its own deadline
                for (int i = 0; i < n; i++)
                {
                    var token = _poller.TokenAt(i);
                    if (token == EpollPoller.WakeToken)
                    {
                        _poller.ClearWake();
                        continue;
                    }
                    var slot = _e._slots[(int)(uint)token];
                    // An event for a descriptor this slot has since closed (same batch) is not this attempt's.
                    if (slot.Fd < 0 || (uint)slot.Attempts != (uint)(token >> 32)) continue;
                    try
                    {
                        Advance(slot, _poller.EventsAt(i));
                    }
                    catch (Exception e)
                    {
                        // A bug must cost one attempt, not the loop and every connection it owns (and the run's figures).
                        Unexpected(slot, e);
                    }
                    // A batch of handshake steps can take milliseconds: an attempt that fell due meanwhile leaves now,
                    // not after the whole batch.
                    if (i + 1 < n && _nextDue <= Stopwatch.GetTimestamp()) LaunchDue(Stopwatch.GetTimestamp());
                }
            }
        }

        private bool _reported;
        /// <summary>When this loop's next attempt is due (long.MaxValue: none pending, or the run is stopping).</summary>
        private long _nextDue = long.MaxValue;

        /// <summary>Launches every attempt due by <paramref name="now"/>, then publishes what is still pending.</summary>
        private void LaunchDue(long now)
        {
            if (!_e._stopping && now >= _t0)
            {
                _due.Clear();
                _pacer.TakeDue(now, _due);
                foreach (var a in _due) Launch(SlotOf(a.Client), a.DueTicks);
            }
            _nextDue = !_e._stopping && _pacer.NextDue() is { } next ? next : long.MaxValue;
            Volatile.Write(ref Pending, _e._stopping ? 0 : _pacer.Pending);
        }

        private void Unexpected(ClientSlot slot, Exception e)
        {
            if (!_reported)
            {
                _reported = true;
                _e._log?.Invoke(
                    $"internal error in event loop {_part.Index}: {e.GetType().Name}: {e.Message} (the attempt is counted as failed)");
            }
            if (slot.Current is ClientState.Connected) Closed(slot, byServer: false);
            else if (slot.Fd >= 0) Fail(slot, FailureKind.Protocol, "internal-error");
        }

        private void Launch(ClientSlot slot, long dueTicks)
        {
            _e.BeginAttempt(slot, dueTicks);
            long start = Stopwatch.GetTimestamp();
            _e.CountStart(slot, start - dueTicks);
            slot.DueTicks = dueTicks;
            slot.StartTicks = start;
            slot.Attempts++;
            var plan = _e._plan;
            var fd = NonBlockingSockets.StartConnect(plan.Endpoints[plan.DestinationOf(slot.Global)], plan.SourceOf(slot.Global),
                out var error);
            if (fd < 0)
            {
                var f = SocketFailures.Classify(error);
                Fail(slot, FailureKind.Tcp, "tcp-" + f.Reason(), tcpRefused: f == SocketFailure.Refused);
                return;
            }
            slot.Fd = fd;
            slot.Phase = LoopPhase.TcpConnect;
            // Registered once for its whole life; a socket already connected reports writable at once.
            var added = _poller.Add(fd, ((ulong)(uint)slot.Attempts << 32) | (uint)slot.Local, Interest);
            if (added != 0) Fail(slot, FailureKind.Tcp, "tcp-" + SocketFailures.Classify(Errno.ToSocketError(added)).Reason());
        }

        /// <summary>Runs this connection as far as it goes without blocking, from wherever it waited.</summary>
        private void Advance(ClientSlot slot, uint events)
        {
            switch (slot.Phase)
            {
                case LoopPhase.TcpConnect:
                    if ((events & (EpollPoller.Out | EpollPoller.Err | EpollPoller.Hup)) == 0) return;
                    var error = NonBlockingSockets.ConnectResult(slot.Fd);
                    if (error != System.Net.Sockets.SocketError.Success)
                    {
                        var f = SocketFailures.Classify(error);
                        Fail(slot, FailureKind.Tcp, "tcp-" + f.Reason(), tcpRefused: f == SocketFailure.Refused);
                        return;
                    }
                    slot.TcpDone = Stopwatch.GetTimestamp();
                    try
                    {
                        slot.Session = _e._plan.FactoryOf(slot.Global).OpenSession(slot.Fd);
                    }
                    catch (Exception e)
                    {
                        Fail(slot, FailureKind.Tls, TlsFailureReasons.Classify(e));
                        return;
                    }
                    slot.Phase = LoopPhase.Handshake;
                    goto case LoopPhase.Handshake;
                case LoopPhase.Handshake:
                    if (slot.Session!.Handshake(out var failure) != TlsWant.None) return;
                    if (failure is not null)
                    {
                        Fail(slot, FailureKind.Tls, TlsFailureReasons.Classify(failure));
                        return;
                    }
                    slot.TlsDone = Stopwatch.GetTimestamp();
                    if (_e._tlsOnly)
                    {
                        if (slot.Session.IsTls13)
                        {
                            slot.Phase = LoopPhase.Confirming;
                            goto case LoopPhase.Confirming;
                        }
                        Connected(slot, slot.TlsDone);
                        return;
                    }
                    slot.Buffer = ArrayPool<byte>.Shared.Rent(ConnackBufferSize);
                    slot.Filled = MqttConnectEncoder.Write(slot.Buffer, new MqttConnect
                    {
                        Version = _e._o.MqttVersion,
                        ClientId = _e._plan.ClientIdOf(slot.Global),
                        CleanStart = _e._plan.CleanStartOf(slot.Global),
                        UserName = _e._plan.UserNameOf(slot.Global),
                        Password = _e._plan.PasswordOf(slot.Global),
                        KeepAliveSeconds = (ushort)_e._o.KeepAlive.TotalSeconds,
                    });
                    slot.Phase = LoopPhase.SendConnect;
                    goto case LoopPhase.SendConnect;
                case LoopPhase.SendConnect:
                    slot.Session!.Write(slot.Buffer.AsSpan(0, slot.Filled), out var want, out failure);
                    if (failure is not null)
                    {
                        FailAfterHandshake(slot, failure);
                        return;
                    }
                    if (want != TlsWant.None) return; // the same bytes again when the socket has room (SSL_write's rule)
                    slot.Filled = 0;
                    slot.Phase = LoopPhase.ConnackWait;
                    goto case LoopPhase.ConnackWait;
                case LoopPhase.ConnackWait:
                    ReadConnack(slot);
                    return;
                case LoopPhase.Confirming:
                    Confirm(slot);
                    return;
                case LoopPhase.Held:
                    if ((events & (EpollPoller.In | EpollPoller.RdHup | EpollPoller.Err | EpollPoller.Hup)) != 0) ReadHeld(slot);
                    return;
            }
        }

        private void ReadConnack(ClientSlot slot)
        {
            MqttConnAck ack;
            var buffer = slot.Buffer!;
            while (true)
            {
                var n = slot.Session!.Read(buffer.AsSpan(slot.Filled), out var want, out var failure);
                if (failure is not null)
                {
                    FailAfterHandshake(slot, failure);
                    return;
                }
                if (want != TlsWant.None) return;
                if (n == 0)
                {
                    Fail(slot, FailureKind.Protocol, "closed-before-connack");
                    return;
                }
                slot.Filled += n;
                var status = MqttConnAckDecoder.TryDecode(buffer.AsSpan(0, slot.Filled), out ack, out _, out var why, ConnackBufferSize,
                    _e._o.MqttVersion);
                if (status == MqttDecodeStatus.Ok) break;
                if (status == MqttDecodeStatus.Invalid || slot.Filled == buffer.Length)
                {
                    Fail(slot, FailureKind.Protocol, $"connack-invalid-0x{(byte)why:x2}");
                    return;
                }
            }
            ReturnBuffer(slot);
            if (ack.ReasonCode != MqttReasonCode.Success)
            {
                Fail(slot, FailureKind.ConnackRefused, $"connack-0x{ack.WireCode:x2}"); // as sent: a v5 reason or a 3.1.1 return code
                return;
            }
            Connected(slot, Stopwatch.GetTimestamp());
        }
    }
}
