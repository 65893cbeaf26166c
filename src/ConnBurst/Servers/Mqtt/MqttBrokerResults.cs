using System.Text.Json.Nodes;
using ConnBurst.Pki;
using ConnBurst.Results;

namespace ConnBurst.Servers.Mqtt;

/// <summary>The results document a <c>serve mqtt</c> run writes on exit (kind "server"): its counters in the one model.</summary>
internal static class MqttBrokerResults
{
    public static ResultsDocument Build(MqttBrokerOptions options, PkiManifest manifest, MqttBrokerSnapshot final, DateTimeOffset started,
        int workerRestarts)
    {
        var config = new JsonObject();
        foreach (var (name, value) in options.Describe()) config[name] = value;
        config["pki"] = manifest.Directory;
        var doc = ResultsDocument.Start("server", started, config);
        doc.Counts = new Counts { Attempted = final.Accepted, Connected = final.HandshakesOk, Connacks = final.Connacks };
        foreach (var (k, v) in final.HandshakesFailed) if (v > 0) doc.Counts.Failed["tls-" + k] = v;
        foreach (var (k, v) in final.Refused) doc.Counts.Failed["connack-" + k] = v;
        foreach (var (k, v) in final.ProtocolCloses) doc.Counts.Failed["protocol-" + k] = v;
        doc.Counts.Other["acceptsFailed"] = final.AcceptsFailed;
        doc.Counts.Other["disconnects"] = final.Disconnects;
        doc.Counts.Other["keepaliveTimeouts"] = final.KeepaliveTimeouts;
        doc.Counts.Other["connectTimeouts"] = final.ConnectTimeouts;
        doc.Counts.Other["crlReloads"] = final.CrlReloads;
        if (options.Workers > 1) doc.Counts.Other["workerRestarts"] = workerRestarts;
        doc.Sections["server"] = final;
        return doc;
    }
}
