using System.Collections.Concurrent;
using ConnBurst.Mqtt;

namespace ConnBurst.Servers.Mqtt;

/// <summary>The broker's MQTT-level counters (the TLS ones are the transport's). Lock-free increments from every session.</summary>
internal sealed class MqttBrokerCounters
{
    private long _connacks, _disconnects, _pings, _publishes, _subscribes, _keepaliveTimeouts, _connectTimeouts, _sessionsClosed;

    public long Connacks => Volatile.Read(ref _connacks);
    /// <summary>DISCONNECT packets received from clients.</summary>
    public long Disconnects => Volatile.Read(ref _disconnects);
    public long Pings => Volatile.Read(ref _pings);
    public long Publishes => Volatile.Read(ref _publishes);
    public long Subscribes => Volatile.Read(ref _subscribes);
    public long KeepaliveTimeouts => Volatile.Read(ref _keepaliveTimeouts);
    public long ConnectTimeouts => Volatile.Read(ref _connectTimeouts);
    public long SessionsClosed => Volatile.Read(ref _sessionsClosed);

    /// <summary>CONNACKs with a failure reason, by reason name (e.g. "UnsupportedProtocolVersion").</summary>
    public ConcurrentDictionary<string, long> Refused { get; } = new();

    /// <summary>Connections the broker closed for a protocol violation, by reason (MalformedPacket, ProtocolError,
    /// PacketTooLarge...).</summary>
    public ConcurrentDictionary<string, long> ProtocolCloses { get; } = new();

    internal void OnConnack() => Interlocked.Increment(ref _connacks);
    internal void OnRefused(MqttReasonCode rc) => Refused.AddOrUpdate(rc.ToString(), 1, (_, n) => n + 1);
    internal void OnProtocolClose(MqttReasonCode rc) => ProtocolCloses.AddOrUpdate(rc.ToString(), 1, (_, n) => n + 1);
    internal void OnDisconnect() => Interlocked.Increment(ref _disconnects);
    internal void OnPing() => Interlocked.Increment(ref _pings);
    internal void OnPublish() => Interlocked.Increment(ref _publishes);
    internal void OnSubscribe() => Interlocked.Increment(ref _subscribes);
    internal void OnKeepaliveTimeout() => Interlocked.Increment(ref _keepaliveTimeouts);
    internal void OnConnectTimeout() => Interlocked.Increment(ref _connectTimeouts);
    internal void OnSessionClosed() => Interlocked.Increment(ref _sessionsClosed);
}
