using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using ConnBurst.Pki;
using ConnBurst.Tls;
using MQTTnet.Server;

namespace ConnBurst.Bench;

/// <summary>
/// <c>mqttnet-server PKI_DIR PORT SECONDS</c>: MQTTnet.Server 5.2 configured as close to <c>serve mqtt</c> as its TLS options
/// allow: TLS 1.2, the PKI's server certificate, client certificate required, and a validation callback that does what ours
/// does (CustomRootTrust chain against the benchmark CA, CRL hash-set lookup). Its options take no X509ChainPolicy and no
/// SslStreamCertificateContext (docs/DECISIONS.md, "Servers: a lean broker on our codec, not MQTTnet.Server"), so SslStream also builds
/// the default chain per handshake.
/// Runs until SECONDS pass or stdin closes; bench/server-cpu.sh measures it beside the lean broker and Mosquitto.
/// </summary>
public static class MqttNetServerBench
{
    public static int Run(string[] args)
    {
        if (args.Length < 3) { Console.Error.WriteLine("usage: mqttnet-server PKI_DIR PORT SECONDS"); return 2; }
        var m = PkiManifest.Load(args[0]);
        var port = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        var seconds = Math.Min(double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), 900);
        var server = TlsCertificates.Server(m).Certificate;
        var crl = CrlSet.Load(m.PathOf(m.Crl), TlsCertificates.Issuer(m));
        var policy = TlsTrust.CustomRootPolicy(TlsCertificates.Roots(m));
        var validator = new PeerValidator(crl, certificateRequired: true);
        var options = new MqttServerFactory().CreateServerOptionsBuilder()
            .WithoutDefaultEndpoint()
            .WithEncryptedEndpoint()
            .WithEncryptedEndpointBoundIPAddress(System.Net.IPAddress.Loopback)
            .WithEncryptedEndpointPort(port)
            .WithEncryptionCertificate(server)
            .WithEncryptionSslProtocol(SslProtocols.Tls12)
            .WithClientCertificate((_, cert, _, errors) =>
            {
                if (cert is null) return false;
                // The chain SslStream built used the system store (it has no policy to take); build ours, as a user must.
                using var chain = new X509Chain { ChainPolicy = policy };
                var c2 = cert as X509Certificate2 ?? new X509Certificate2(cert);
                var ok = chain.Build(c2);
                return validator.Validate(c2, chain,
                    ok ? SslPolicyErrors.None : SslPolicyErrors.RemoteCertificateChainErrors) == PeerRefusal.None;
            }, false)
            .Build();
        using var mqtt = new MqttServerFactory().CreateMqttServer(options);
        mqtt.StartAsync().GetAwaiter().GetResult();
        Console.WriteLine($"listening on 127.0.0.1:{port}");
        Console.Out.Flush();
        var stdinClosed = Task.Run(() => Console.In.ReadToEnd());
        Task.WaitAny(stdinClosed, Task.Delay(TimeSpan.FromSeconds(seconds)));
        mqtt.StopAsync().GetAwaiter().GetResult();
        return 0;
    }
}
