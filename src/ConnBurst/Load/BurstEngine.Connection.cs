using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using ConnBurst.Mqtt;
using ConnBurst.Recording;
using ConnBurst.Tls;
using ConnBurst.Transport;

namespace ConnBurst.Load;

/// <summary>One connection's life: TCP, TLS, CONNECT/CONNACK (not with TLS only), then an idle hold that owns no buffer.</summary>
internal sealed partial class BurstEngine
{
    private static readonly byte[] PingReq = MqttConstants.PingReq.ToArray();
    private static readonly byte[] Disconnect = MqttConstants.DisconnectNormal.ToArray();
    private const int ConnackBufferSize = 512;

    private async Task ConnectAsync(ClientSlot slot, long dueTicks)
    {
        var client = slot.Global;
        long start = Stopwatch.GetTimestamp();
        CountStart(slot, start - dueTicks);
        Socket socket;
        try
        {
            var ep = _plan.Endpoints[_plan.DestinationOf(client)];
            socket = ClientSockets.Create(ep, _plan.SourceOf(client));
            slot.Socket = socket;
            await socket.ConnectAsync(ep).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var f = SocketFailures.Classify(e);
            Fail(slot, FailureKind.Tcp, "tcp-" + f.Reason(), tcpRefused: f == SocketFailure.Refused);
            return;
        }
        long tcpDone = Stopwatch.GetTimestamp();

        ITlsClientConnection tls;
        try
        {
            tls = _plan.FactoryOf(client).Open(socket);
            slot.Tls = tls;
            await tls.HandshakeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Fail(slot, FailureKind.Tls, TlsFailureReasons.Classify(e));
            return;
        }
        long tlsDone = Stopwatch.GetTimestamp();
        var verdict = TlsVerdict.Accepted;
        if (_tlsOnly && tls.IsTls13)
        {
            // The server's verdict on our certificate comes after our TLS 1.3 handshake: wait for it until the connect
            // timeout, here rather than by the heartbeat, which would count a silent server's connect as timed out.
            slot.Deadline = long.MaxValue;
            var left = TimeSpan.FromSeconds(Math.Max(0, dueTicks + _timeoutTicks - tlsDone) / (double)Frequency);
            var confirmation = await tls.ConfirmAsync(left).ConfigureAwait(false);
            if (confirmation.Verdict == TlsVerdict.Refused)
            {
                Fail(slot, FailureKind.Tls, confirmation.Refusal is { } refusal ? TlsFailureReasons.Classify(refusal)
                    : TlsFailureReasons.ClosedAfterHandshake);
                return;
            }
            verdict = confirmation.Verdict;
        }

        // With TLS only the handshake is the connect: nothing of MQTT is sent or awaited.
        if (!_tlsOnly)
        {
            MqttConnAck ack;
            var buffer = ArrayPool<byte>.Shared.Rent(ConnackBufferSize);
            try
            {
                var connect = new MqttConnect
                {
                    Version = _o.MqttVersion,
                    ClientId = _plan.ClientIdOf(client),
                    CleanStart = _plan.CleanStartOf(client),
                    UserName = _plan.UserNameOf(client),
                    Password = _plan.PasswordOf(client),
                    KeepAliveSeconds = (ushort)_o.KeepAlive.TotalSeconds,
                };
                var n = MqttConnectEncoder.Write(buffer, connect);
                await tls.WriteAsync(buffer.AsMemory(0, n)).ConfigureAwait(false);
                int filled = 0;
                while (true)
                {
                    var read = await tls.ReadAsync(buffer.AsMemory(filled)).ConfigureAwait(false);
                    if (read == 0) { Fail(slot, FailureKind.Protocol, "closed-before-connack"); return; }
                    filled += read;
                    var status = MqttConnAckDecoder.TryDecode(buffer.AsSpan(0, filled), out ack, out _, out var why, ConnackBufferSize,
                        _o.MqttVersion);
                    if (status == MqttDecodeStatus.Ok) break;
                    if (status == MqttDecodeStatus.Invalid || filled == buffer.Length)
                    {
                        Fail(slot, FailureKind.Protocol, $"connack-invalid-0x{(byte)why:x2}");
                        return;
                    }
                }
            }
            catch (Exception e)
            {
                // TLS 1.3 sends the server's verdict on our certificate after our handshake finished: it surfaces here.
                if (TlsFailureReasons.IsTlsAlert(e)) Fail(slot, FailureKind.Tls, TlsFailureReasons.Classify(e));
                else Fail(slot, FailureKind.Protocol, "closed-before-connack");
                return;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            if (ack.ReasonCode != MqttReasonCode.Success)
            {
                Fail(slot, FailureKind.ConnackRefused, $"connack-0x{ack.WireCode:x2}"); // as sent: a v5 reason or a 3.1.1 return code
                return;
            }
        }
        long done = _tlsOnly ? tlsDone : Stopwatch.GetTimestamp();
        if (!slot.TryMove(ClientState.Connecting, ClientState.Connected))
        {
            Fail(slot, FailureKind.Timeout, "timeout-connack"); // the heartbeat gave up on it a moment earlier
            return;
        }
        if (verdict == TlsVerdict.Unconfirmed)
        {
            Counters.TlsUnconfirmed(); // held, but neither timed nor counted as a connect
            _stages?.Unconfirmed(slot.Stage);
        }
        else
        {
            CountConnected(slot.Stage, dueTicks, start, tcpDone, tlsDone, done);
        }
        if (tls.IsResumed == true) Counters.TlsResumed();
        if (BeginHold(slot, done) is { } lingerEnd) Arm(slot, lingerEnd, DeadlineKind.Linger);
        if (_stopping && slot.TryMove(ClientState.Connected, ClientState.Closing)) _ = DisconnectAsync(slot);
        await HoldAsync(slot, tls).ConfigureAwait(false);
    }

    /// <summary>
    /// Holds a connected client until either side closes. Waits with a zero-byte read, so an idle connection has no
    /// buffer rented (Kestrel's pattern); a small one is rented only when bytes (PINGRESP, a server DISCONNECT) arrive.
    /// With TLS only those bytes are not MQTT's and are dropped unread.
    /// </summary>
    private async Task HoldAsync(ClientSlot slot, ITlsClientConnection tls)
    {
        try
        {
            while (true)
            {
                await tls.ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
                var buffer = ArrayPool<byte>.Shared.Rent(256);
                try
                {
                    var n = await tls.ReadAsync(buffer).ConfigureAwait(false);
                    if (n == 0) break;
                    if (!_tlsOnly && !Consume(slot, buffer.AsSpan(0, n))) break;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception)
        {
            // Closed under us (our DISCONNECT path, or the server reset): the state says which.
        }
        CountClosed(slot, byServer: slot.TryMove(ClientState.Connected, ClientState.Closing));
        slot.Abort();
        AfterClose(slot, Stopwatch.GetTimestamp());
    }

    /// <summary>Reads whole packets while held; false when the server sent DISCONNECT or something unparseable.</summary>
    private bool Consume(ClientSlot slot, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var status = MqttFrame.TryRead(bytes, 64 * 1024, out var header, out _);
            if (status != MqttDecodeStatus.Ok)
                return status == MqttDecodeStatus.Incomplete; // a split frame: rare, and we only count PINGRESPs
            if (header.Type == MqttPacketType.PingResp)
            {
                Volatile.Write(ref slot.PongDue, 0);
                Counters.PongReceived();
            }
            else if (header.Type == MqttPacketType.Disconnect)
            {
                return false;
            }

            bytes = bytes[header.TotalLength..];
        }
        return true;
    }

    private async Task PingAsync(ClientSlot slot)
    {
        var tls = slot.Tls;
        if (tls is null) return;
        try
        {
            await tls.WriteAsync(PingReq).ConfigureAwait(false);
            Counters.PingSent();
        }
        catch (Exception)
        {
            // The hold loop sees the broken connection and counts it.
        }
    }

    /// <summary>Linger over or run ending: DISCONNECT (normal; TLS only: close_notify), then close; the hold loop counts it as
    /// ours.</summary>
    private async Task DisconnectAsync(ClientSlot slot)
    {
        var tls = slot.Tls;
        try
        {
            if (tls is not null)
            {
                var write = (_tlsOnly ? tls.CloseNotifyAsync() : tls.WriteAsync(Disconnect)).AsTask();
                await write.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // Closing anyway.
        }
        slot.Abort();
    }

    private void Fail(ClientSlot slot, FailureKind kind, string reason, bool tcpRefused = false)
    {
        slot.Abort();
        CountFailure(slot, kind, reason, tcpRefused);
        AfterClose(slot, Stopwatch.GetTimestamp());
    }

    /// <summary>Counts a failed attempt: abandoned when the run was ending, a timeout when the heartbeat gave up on it, else its
    /// reason.</summary>
    private void CountFailure(ClientSlot slot, FailureKind kind, string reason, bool tcpRefused)
    {
        if (_stopping && !slot.TimedOut && slot.Current is ClientState.Connecting or ClientState.Closing
            && kind != FailureKind.ConnackRefused)
        {
            Counters.Abandoned();
            _stages?.Abandoned(slot.Stage);
        }
        else
        {
            if (slot.TimedOut) (kind, reason) = (FailureKind.Timeout, "timeout");
            Counters.Failed(kind, reason);
            _stages?.Failed(slot.Stage, kind, reason);
        }
        if (tcpRefused) Interlocked.Increment(ref _consecutiveRefused);
        else if (kind != FailureKind.Tcp) Volatile.Write(ref _consecutiveRefused, 0);
    }

    /// <summary>
    /// Counts and times a connected attempt (CONNACK read, or with TLS only the handshake done), in the interval's recorders
    /// and in its stage's: both engines' one way. With TLS only nothing happened in the connack phase, so none is recorded.
    /// </summary>
    private void CountConnected(int stage, long due, long start, long tcpDone, long tlsDone, long done)
    {
        Record(BurstPhase.Tcp, Micros(tcpDone - start));
        Record(BurstPhase.Tls, Micros(tlsDone - tcpDone));
        if (!_tlsOnly) Record(BurstPhase.Connack, Micros(done - tlsDone));
        Record(BurstPhase.Total, Micros(done - due));
        Record(BurstPhase.TotalFromStart, Micros(done - start));
        Counters.Connacked();
        _stages?.Connacked(stage);

        void Record(BurstPhase phase, long micros)
        {
            Recorders.Record(phase, micros);
            _stages?.Record(stage, phase, micros);
        }
    }

    private static long Micros(long ticks) => ticks * 1_000_000 / Frequency;
}
