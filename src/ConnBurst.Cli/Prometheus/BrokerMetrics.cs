using ConnBurst.Export;
using ConnBurst.Servers.Mqtt;

namespace ConnBurst.Cli.Prometheus;

/// <summary>
/// <c>serve mqtt --prometheus</c>: the broker's counters as Prometheus metrics. They are read from a snapshot at
/// scrape time (a before-collect callback), so the broker's hot path does not know Prometheus exists.
/// </summary>
internal static class BrokerMetrics
{
    public static void Expose(PrometheusEndpoint prom, Func<MqttBrokerSnapshot> snapshot)
    {
        var m = prom.Metrics;
        var accepted = m.CreateCounter("connburst_server_accepted_total", "TCP connections accepted");
        var acceptsFailed = m.CreateCounter("connburst_server_accepts_failed_total",
            "accept(2) calls that failed (at the descriptor limit the connection waits in the backlog)");
        var handshakesOk = m.CreateCounter("connburst_server_handshakes_ok_total", "TLS handshakes that completed with an accepted peer");
        var handshakesFailed = m.CreateCounter("connburst_server_handshakes_failed_total", "TLS handshakes refused or failed, by reason",
            ["reason"]);
        var connacks = m.CreateCounter("connburst_server_connacks_total", "CONNACKs sent");
        var disconnects = m.CreateCounter("connburst_server_disconnects_total", "DISCONNECTs received");
        var current = m.CreateGauge("connburst_server_connections", "Connections open now");
        var crlSerials = m.CreateGauge("connburst_server_crl_serials", "Revoked serials in the CRL in force");
        prom.Registry.AddBeforeCollectCallback(() =>
        {
            var s = snapshot();
            accepted.IncTo(s.Accepted);
            acceptsFailed.IncTo(s.AcceptsFailed);
            handshakesOk.IncTo(s.HandshakesOk);
            foreach (var (reason, n) in s.HandshakesFailed) handshakesFailed.WithLabels(reason).IncTo(n);
            connacks.IncTo(s.Connacks);
            disconnects.IncTo(s.Disconnects);
            current.Set(s.Current);
            crlSerials.Set(s.CrlSerials);
        });
    }
}
