using System.Globalization;
using ConnBurst.Mqtt;
using ConnBurst.Transport;
using ConnBurst.Servers.Hosting;

namespace ConnBurst.Servers.Mqtt;

/// <summary>
/// One client of the reference broker. It answers what a connection benchmark needs: CONNECT → CONNACK, PINGREQ → PINGRESP,
/// DISCONNECT. PUBLISH and SUBSCRIBE are answered as MQTT v5 allows for a broker with no subscribers and no subscriptions
/// (PUBACK/PUBREC "no matching subscribers", SUBACK "implementation specific error"). Any violation closes this connection
/// only, with the spec's reason code: a CONNACK before the session exists, a DISCONNECT after. A 3.1.1 client (level 4) is
/// answered in 3.1.1: return codes instead of reasons, no properties, and a plain close where v5 would send DISCONNECT.
/// </summary>
internal sealed class MqttBrokerSession(ServerConnection connection, MqttBrokerCounters counters, MqttBrokerLimits limits)
    : IConnectionSession
{
    private enum State { AwaitingConnect, Connected, Closing }

    // Written by the read loop, read by the heartbeat.
    private volatile State _state = State.AwaitingConnect;
    private readonly long _connectDeadlineMs = Environment.TickCount64 + limits.ConnectTimeoutMs;
    private long _lastPacketMs = Environment.TickCount64;
    private long _keepAliveMs; // 0: no keepalive
    private MqttVersion _version = MqttVersion.V5; // the CONNECT's, once accepted

    public int Consume(ReadOnlySpan<byte> data)
    {
        var used = 0;
        while (_state != State.Closing)
        {
            var rest = data[used..];
            var status = MqttFrame.TryRead(rest, limits.MaxPacketSize, out var header, out var frameReason);
            if (status == MqttDecodeStatus.Incomplete) break;
            if (status == MqttDecodeStatus.Invalid)
            {
                Violation(frameReason);
                return data.Length;
            }
            Volatile.Write(ref _lastPacketMs, Environment.TickCount64);
            Handle(header, MqttFrame.Body(rest, header));
            used += header.TotalLength;
        }
        return _state == State.Closing ? data.Length : used;
    }

    private void Handle(in MqttFrameHeader h, ReadOnlySpan<byte> body)
    {
        if (_state == State.AwaitingConnect)
        {
            if (h.Type == MqttPacketType.Connect) OnConnect(body);
            else Close(); // the first packet must be CONNECT [MQTT-3.1.0-1]
            return;
        }
        switch (h.Type)
        {
            case MqttPacketType.PingReq:
                if (!body.IsEmpty) { Violation(MqttReasonCode.MalformedPacket); return; }
                counters.OnPing();
                connection.Output.Write(MqttConstants.PingResp);
                break;
            case MqttPacketType.Disconnect:
                var rc = MqttDisconnect.Decode(body, out _, _version);
                if (rc != MqttReasonCode.Success) { Violation(rc); return; }
                counters.OnDisconnect();
                Close();
                break;
            case MqttPacketType.Publish: OnPublish(h.Flags, body); break;
            case MqttPacketType.PubRel:
                {
                    var prc = MqttClientPackets.DecodePubRel(body, out var pid, _version);
                    if (prc != MqttReasonCode.Success) { Violation(prc); return; }
                    var span = connection.Output.GetSpan(MqttServerAcks.AckSize);
                    connection.Output.Advance(MqttServerAcks.WriteAck(span, MqttPacketType.PubComp, pid, MqttReasonCode.Success, _version));
                    break;
                }
            case MqttPacketType.Subscribe: OnSubscribe(body, MqttPacketType.SubAck, MqttReasonCode.ImplementationSpecificError); break;
            case MqttPacketType.Unsubscribe: OnSubscribe(body, MqttPacketType.UnsubAck, MqttReasonCode.NoSubscriptionExisted); break;
            case MqttPacketType.Connect:
                Violation(MqttReasonCode.ProtocolError); // a second CONNECT [MQTT-3.1.0-2]
                break;
            default:
                // AUTH (we offer no enhanced auth), acks for publishes we never sent, and server-to-client packets.
                Violation(MqttReasonCode.ProtocolError);
                break;
        }
    }

    private void OnConnect(ReadOnlySpan<byte> body)
    {
        var rc = MqttConnectDecoder.Decode(body, out var info, out var level);
        if (rc == MqttReasonCode.Success && info!.HasAuthenticationMethod) rc = MqttReasonCode.BadAuthenticationMethod;
        if (rc == MqttReasonCode.Success && !limits.Versions.Contains((MqttVersion)level)) rc = MqttReasonCode.UnsupportedProtocolVersion;
        if (rc != MqttReasonCode.Success)
        {
            counters.OnRefused(rc);
            var refuse = connection.Output.GetSpan(MqttConnAckEncoder.GetSize());
            // Answered in the client's version when it is one we know; 3.1.1 has no CONNACK for a malformed CONNECT.
            connection.Output.Advance(level == (byte)MqttVersion.V311 ? MqttConnAckEncoder.Write311(refuse, rc)
                : MqttConnAckEncoder.Write(refuse, rc));
            Close();
            return;
        }
        _version = (MqttVersion)level;
        // Keepalive: close after 1.5 × the client's interval without a packet [MQTT-3.1.2-22].
        _keepAliveMs = info!.KeepAliveSeconds * 1500L;
        if (_version == MqttVersion.V311)
        {
            // An empty 3.1.1 client id is given an id the client is never told (3.1.1 [MQTT-3.1.3-6]): nothing to send.
            connection.Output.Write(MqttConnAckEncoder.Success311);
        }
        else if (info.ClientId.Length == 0)
        {
            // An empty client id gets one assigned, returned in CONNACK [MQTT-3.1.3-6], [MQTT-3.2.2-16].
            Span<byte> id = stackalloc byte[24];
            "connburst-"u8.CopyTo(id);
            connection.Id.TryFormat(id[10..], out var n, default, CultureInfo.InvariantCulture);
            var assigned = id[..(10 + n)];
            var span = connection.Output.GetSpan(MqttConnAckEncoder.GetSize(assigned.Length));
            connection.Output.Advance(MqttConnAckEncoder.Write(span, MqttReasonCode.Success, assignedClientId: assigned));
        }
        else
        {
            connection.Output.Write(MqttConnAckEncoder.Success);
        }
        _state = State.Connected;
        counters.OnConnack();
    }

    private void OnPublish(byte flags, ReadOnlySpan<byte> body)
    {
        var rc = MqttClientPackets.DecodePublish(flags, body, out var qos, out var pid, _version);
        if (rc != MqttReasonCode.Success) { Violation(rc); return; }
        counters.OnPublish();
        if (qos == 0) return; // delivered to no one: there are no subscriptions
        var span = connection.Output.GetSpan(MqttServerAcks.AckSize);
        connection.Output.Advance(MqttServerAcks.WriteAck(span, qos == 1 ? MqttPacketType.PubAck : MqttPacketType.PubRec, pid,
            MqttReasonCode.NoMatchingSubscribers, _version));
    }

    private void OnSubscribe(ReadOnlySpan<byte> body, MqttPacketType answer, MqttReasonCode perFilter)
    {
        var rc = answer == MqttPacketType.SubAck
            ? MqttClientPackets.DecodeSubscribe(body, out var pid, out var filters, _version)
            : MqttClientPackets.DecodeUnsubscribe(body, out pid, out filters, _version);
        if (rc != MqttReasonCode.Success) { Violation(rc); return; }
        counters.OnSubscribe();
        var span = connection.Output.GetSpan(MqttServerAcks.GetSubAckSize(filters, _version));
        connection.Output.Advance(MqttServerAcks.WriteSubAck(span, answer, pid, filters, perFilter, _version));
    }

    /// <summary>
    /// A malformed or forbidden packet: CONNACK with the reason before the session exists, DISCONNECT after (§4.13); a
    /// 3.1.1 server sends no DISCONNECT, it closes (3.1.1 §4.8).
    /// </summary>
    private void Violation(MqttReasonCode rc)
    {
        counters.OnProtocolClose(rc);
        if (_state == State.AwaitingConnect)
        {
            var span = connection.Output.GetSpan(MqttConnAckEncoder.GetSize());
            connection.Output.Advance(MqttConnAckEncoder.Write(span, rc));
        }
        else if (_version == MqttVersion.V5)
        {
            var span = connection.Output.GetSpan(3);
            connection.Output.Advance(MqttDisconnect.Write(span, rc));
        }
        Close();
    }

    /// <summary>Ends the connection once what is in the output (CONNACK/DISCONNECT, if any) has been flushed.</summary>
    private void Close()
    {
        _state = State.Closing;
        connection.CloseAfterFlush();
    }

    public string? CheckTimeout(long nowMs)
    {
        switch (_state)
        {
            case State.AwaitingConnect when nowMs > _connectDeadlineMs:
                counters.OnConnectTimeout();
                return "connect-timeout";
            case State.Connected when _keepAliveMs > 0 && nowMs - Volatile.Read(ref _lastPacketMs) > _keepAliveMs:
                counters.OnKeepaliveTimeout();
                return "keepalive";
            default:
                return null;
        }
    }

    public void OnClosed(ConnectionCloseReason reason) => counters.OnSessionClosed();
}

/// <summary>The per-connection limits every session shares.</summary>
internal sealed record MqttBrokerLimits(int MaxPacketSize, long ConnectTimeoutMs, IReadOnlySet<MqttVersion> Versions);
