using System.Net;
using ConnBurst.Pki;
using ConnBurst.Tls;
using ConnBurst.Transport;
using ConnBurst.Servers.Hosting;

namespace ConnBurst.Servers.Mqtt;

/// <summary>
/// The reference MQTT v5 broker: the shared TLS host (<see cref="TlsServerHost"/>) with mutual TLS and the CRL set from a PKI
/// manifest, and one <see cref="MqttBrokerSession"/> per connection. The heartbeat that enforces every deadline also polls the
/// CRL file, so a replaced CRL is in force within about a second, with no restart.
/// </summary>
internal sealed class MqttBroker : IAsyncDisposable
{
    private readonly TlsServerHost _host;
    private readonly TlsServerFactory _tls;

    public MqttBrokerOptions Options { get; }
    public MqttBrokerCounters Counters { get; } = new();

    /// <summary>Loads the certificates and the CRL (a tampered CRL is an InputException here, at start-up).</summary>
    public MqttBroker(MqttBrokerOptions options, PkiManifest pki, Action<string>? log = null)
    {
        Options = options.Validate();
        _tls = TlsServerFactory.FromManifest(pki, options.Tls, options.ClientCerts, log, options.Engine);
        var limits = new MqttBrokerLimits(options.MaxPacketSize, (long)options.ConnectTimeout.TotalMilliseconds, options.AcceptedVersions);
        _host = new TlsServerHost(new TlsServerHostOptions
        {
            EndPoint = new IPEndPoint(options.Bind, options.Port),
            ReusePort = options.ReusePort,
            HandshakeTimeout = options.HandshakeTimeout,
            MaxAcceptRate = options.MaxAcceptRate,
            Backlog = options.Backlog,
            MaxBufferedBytes = Math.Max(options.MaxPacketSize, 4096),
        }, _tls, connection => new MqttBrokerSession(connection, Counters, limits), log);
        var crl = _tls.Crl;
        if (crl is not null) _host.Heartbeat.OnTick(_ => crl.ReloadIfChanged());
    }

    public IPEndPoint? LocalEndPoint => _host.LocalEndPoint;
    public CrlSet? Crl => _tls.Crl;
    public Heartbeat Heartbeat => _host.Heartbeat;

    public void Start() => _host.Start();

    public MqttBrokerSnapshot Snapshot()
    {
        var t = _host.Counters;
        return new MqttBrokerSnapshot
        {
            Accepted = t.Accepted,
            AcceptsFailed = t.AcceptsFailed,
            HandshakesOk = t.HandshakesOk,
            HandshakesFailed = new SortedDictionary<string, long>(t.FailedByReason(), StringComparer.Ordinal),
            Connacks = Counters.Connacks,
            Refused = new SortedDictionary<string, long>(Counters.Refused, StringComparer.Ordinal),
            ProtocolCloses = new SortedDictionary<string, long>(Counters.ProtocolCloses, StringComparer.Ordinal),
            Disconnects = Counters.Disconnects,
            Pings = Counters.Pings,
            Publishes = Counters.Publishes,
            Subscribes = Counters.Subscribes,
            KeepaliveTimeouts = Counters.KeepaliveTimeouts,
            ConnectTimeouts = Counters.ConnectTimeouts,
            Closed = t.Closed,
            Current = t.Current,
            CrlReloads = _tls.Crl?.Reloads ?? 0,
            CrlSerials = _tls.Crl?.Count ?? 0,
        };
    }

    public Task StopAsync(TimeSpan timeout) => _host.StopAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync().ConfigureAwait(false);
        _tls.Dispose();
    }
}
