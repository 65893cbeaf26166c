using System.Buffers;
using System.Diagnostics;
using ConnBurst.Recording;
using ConnBurst.Tls.OpenSsl;
using ConnBurst.Transport;

namespace ConnBurst.Load;

/// <summary>
/// An event loop's connections after they connect (BurstEngine.Loop.cs has the loop and the way there): the hold with its
/// keepalive and linger, DISCONNECT or close_notify and close, how each end is counted, the next cycle's reconnect, and
/// the run's end (DISCONNECT for what is held, then abandon what is still open).
/// </summary>
internal sealed partial class BurstEngine
{
    private sealed partial class EventLoop
    {
        /// <summary>
        /// The attempt is connected (<paramref name="done"/>: its CONNACK read, or with TLS only its handshake finished):
        /// count and time it, then hold it until its linger ends. With TLS only nothing happened in the connack phase, so
        /// none is recorded, and no PINGREQ is ever due.
        /// </summary>
        private void Connected(ClientSlot slot, long done)
        {
            slot.Set(ClientState.Connected);
            _e.CountConnected(slot.Stage, slot.DueTicks, slot.StartTicks, slot.TcpDone, slot.TlsDone, done);
            Hold(slot, done);
        }

        /// <summary>A connected attempt (confirmed or not) held from <paramref name="done"/> until its linger ends.</summary>
        private void Hold(ClientSlot slot, long done)
        {
            if (slot.Session!.IsResumed == true) _e.Counters.TlsResumed();
            // What a held connection never reads again (docs/DECISIONS.md, "Tls: a held native client frees what its handshake left").
            slot.Session.ReleaseHandshakeState();
            slot.Phase = LoopPhase.Held;
            if (_e.BeginHold(slot, done) is { } lingerEnd) _lingers.Arm(slot, lingerEnd, DeadlineKind.Linger);
            if (_e._stopping)
            {
                Disconnect(slot);
                return;
            }
            ReadHeld(slot); // edge-triggered: whatever came with the CONNACK (or the handshake's last flight) must be read now
        }

        /// <summary>
        /// Reads a held connection until it would block; closes it when the server closed or sent DISCONNECT. With TLS only
        /// the bytes are not MQTT's and are dropped unread.
        /// </summary>
        private void ReadHeld(ClientSlot slot)
        {
            while (true)
            {
                // Only when there is something to read: a read that finds nothing leaves libssl's 16 KiB read buffer
                // allocated for as long as the connection idles (docs/DECISIONS.md, "Tls: a held native client frees what its handshake
                // left").
                if (!slot.Session!.HasPending && !NonBlockingSockets.HasData(slot.Fd)) return;
                var n = slot.Session.Read(_scratch, out var want, out var failure);
                if (want != TlsWant.None && failure is null) return;
                if (failure is not null || n == 0 || (!_e._tlsOnly && !_e.Consume(slot, _scratch.AsSpan(0, n))))
                {
                    // The server closed, reset, or said DISCONNECT: unless we were already closing it, it is the server's doing.
                    var byServer = slot.TryMove(ClientState.Connected, ClientState.Closing);
                    Closed(slot, byServer);
                    return;
                }
            }
        }

        /// <summary>A failure after our handshake finished: TLS 1.3 sends the server's verdict on our certificate then.</summary>
        private void FailAfterHandshake(ClientSlot slot, OpenSslTlsException failure)
        {
            if (TlsFailureReasons.IsTlsAlert(failure)) Fail(slot, FailureKind.Tls, TlsFailureReasons.Classify(failure));
            else Fail(slot, FailureKind.Protocol, "closed-before-connack");
        }

        /// <summary>Linger over or run ending: DISCONNECT (normal; TLS only: close_notify), then close; counted as ours.</summary>
        private void Disconnect(ClientSlot slot)
        {
            if (!slot.TryMove(ClientState.Connected, ClientState.Closing)) return;
            // A few bytes into an idle socket's empty send buffer: it cannot have to wait. If it fails, we close anyway.
            if (_e._tlsOnly) slot.Session?.CloseNotify();
            else slot.Session?.Write(BurstEngine.Disconnect, out _, out _);
            Closed(slot, byServer: false);
        }

        /// <summary>A held connection is over: count how, free it, and queue its next cycle.</summary>
        private void Closed(ClientSlot slot, bool byServer)
        {
            _e.CountClosed(slot, byServer);
            Release(slot);
            AfterClose(slot, Stopwatch.GetTimestamp());
        }

        private void Fail(ClientSlot slot, FailureKind kind, string reason, bool tcpRefused = false)
        {
            Release(slot);
            _e.CountFailure(slot, kind, reason, tcpRefused);
            AfterClose(slot, Stopwatch.GetTimestamp());
        }

        /// <summary>Frees the connection's session, descriptor and buffer; closing the descriptor also takes it out of the epoll
        /// set.</summary>
        private static void Release(ClientSlot slot)
        {
            slot.Session?.Dispose();
            slot.Session = null;
            NonBlockingSockets.Close(slot.Fd);
            slot.Fd = -1;
            ReturnBuffer(slot);
        }

        private static void ReturnBuffer(ClientSlot slot)
        {
            if (slot.Buffer is { } b) ArrayPool<byte>.Shared.Return(b);
            slot.Buffer = null;
        }

        /// <summary>After a client's connection is over: queue its next cycle, or finish it.</summary>
        private void AfterClose(ClientSlot slot, long now)
        {
            if (_e.NextCycle(slot, now) is { } reconnect) _reconnects.Arm(slot, reconnect, DeadlineKind.Reconnect);
        }

        /// <summary>Linger ends that are due, then reconnect delays that are, each kind in due order.</summary>
        private void RunTimers(long now)
        {
            while (_lingers.TryTakeDue(now, out var slot, out _, out _))
                if (slot.Current == ClientState.Connected) Disconnect(slot);
            while (_reconnects.TryTakeDue(now, out var slot, out _, out var due))
            {
                if (!_e._stopping && slot.TryMove(ClientState.ReconnectWait, ClientState.Waiting))
                {
                    _pacer.EnqueueReconnect(_part.OrdinalOf(slot.Local), due);
                    _nextDue = Math.Min(_nextDue, due); // no earlier than this: LaunchDue finds the exact slot
                }
            }
        }

        /// <summary>The one clock's walk over this loop's clients: compare stored deadlines, act on the expired ones.</summary>
        private void Heartbeat(long now)
        {
            var slots = _e._slots;
            for (int k = _part.Index; k < slots.Length; k += _part.Count)
            {
                var s = slots[k];
                switch (HeartbeatRules.Decide(s.Current, now, s.Deadline, s.NextPing, s.PongDue))
                {
                    case HeartbeatAction.TimeOut when s.Phase == LoopPhase.Confirming:
                        Unconfirmed(s);
                        break;
                    case HeartbeatAction.TimeOut:
                        s.Set(ClientState.Closing);
                        s.TimedOut = true;
                        Fail(s, FailureKind.Timeout, "timeout");
                        break;
                    case HeartbeatAction.KeepaliveLost:
                        s.KeepaliveExpired = true;
                        s.PongDue = 0;
                        s.Set(ClientState.Closing);
                        Closed(s, byServer: false);
                        break;
                    case HeartbeatAction.Ping:
                        s.NextPing = now + _e._keepAliveTicks;
                        s.PongDue = now + _e._pongTimeoutTicks;
                        // Into an idle socket's send buffer; a failed write shows up as the read side closing, or as the PINGRESP never
                        // coming.
                        s.Session!.Write(PingReq, out var want, out var failure);
                        if (want == TlsWant.None && failure is null) _e.Counters.PingSent();
                        break;
                }
            }
        }

        /// <summary>The run is ending: DISCONNECT every held client, finish those waiting; attempts in flight run to their end.</summary>
        private void CloseAll()
        {
            var slots = _e._slots;
            for (int k = _part.Index; k < slots.Length; k += _part.Count)
            {
                var s = slots[k];
                switch (s.Current)
                {
                    case ClientState.Connected:
                        Disconnect(s);
                        break;
                    case ClientState.Waiting or ClientState.ReconnectWait:
                        s.Set(ClientState.Done);
                        break;
                }
            }
        }

        /// <summary>The stop deadline passed: whatever is still open is abandoned (in flight) or closed by us (held).</summary>
        private void AbortAll()
        {
            var slots = _e._slots;
            for (int k = _part.Index; k < slots.Length; k += _part.Count)
            {
                var s = slots[k];
                if (s.Fd < 0) continue;
                if (s.Current == ClientState.Connected)
                {
                    s.Set(ClientState.Closing);
                    Closed(s, byServer: false);
                }
                else
                {
                    Fail(s, FailureKind.Timeout, "timeout");
                }
            }
        }
    }
}
