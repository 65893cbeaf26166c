using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConnBurst.Cli.Prometheus;
using ConnBurst.Common;
using ConnBurst.Mqtt;
using ConnBurst.Export;
using ConnBurst.Pki;
using ConnBurst.Reporting;
using ConnBurst.Servers.Mqtt;
using ConnBurst.Tls;
using ConnBurst.Transport;
using ConnBurst.Results;
using ConnBurst.Runs;

namespace ConnBurst.Cli.Commands;

/// <summary>
/// <c>connburst serve mqtt</c>: the reference MQTT v5 broker over mutual TLS with the PKI's CRL. Prints its effective
/// configuration, <c>listening on HOST:PORT</c> once ready, counters every few seconds and on exit; Ctrl-C stops it cleanly and
/// writes a results file. With <c>--workers N</c> it runs N child processes on the same port (SO_REUSEPORT) and sums their counters.
/// </summary>
internal static class ServeMqttCommand
{
    public static Command Create()
    {
        var pki = new Option<string?>("--pki") { Description =
            "PKI directory from 'connburst certs' (default: the embedded one under $CONNBURST_HOME/pki)" };
        var listen = new ListenOption("127.0.0.1", 8884,
            "loopback by default: a broker is opened to other machines only when asked (--listen 0.0.0.0:8884)");
        var tls = new Option<string>("--tls") { Description = "TLS version: 1.2, 1.3 or any", DefaultValueFactory = _ => "1.2" };
        var ciphers = new Option<string?>("--ciphers") { Description =
            "Comma-separated cipher suites (IANA or OpenSSL names); default: OpenSSL's" };
        var workers = new Option<int>("--workers") { Description = "Server processes sharing the port with SO_REUSEPORT",
            DefaultValueFactory = _ => 1 };
        var engine = new Option<string>("--tls-engine") { Description =
            "TLS engine: openssl (libssl called directly) or sslstream (.NET's SslStream)", DefaultValueFactory = _ => "openssl" };
        var clientCert = ClientCertOption.Create(ClientCertMode.Required, "required by default: the MQTT benchmark is mutual TLS");
        var maxAcceptRate = new Option<double?>("--max-accept-rate") { Description =
            "Accept at most R new connections per second (a deliberate throttle)" };
        var backlog = new Option<int>("--backlog") { Description =
            "Listen backlog: connections the kernel queues for accept (capped by net.core.somaxconn)", DefaultValueFactory = _ => 4096 };
        var handshakeTimeout = new DurationOption("--handshake-timeout") { Description = "Abort a TLS handshake not done by then",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(10) };
        var connectTimeout = new DurationOption("--connect-timeout") { Description = "Close a connection that sends no CONNECT by then",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(10) };
        var maxPacket = new Option<int>("--max-packet-size") { Description = "Largest MQTT packet accepted, in bytes",
            DefaultValueFactory = _ => 64 * 1024 };
        var interval = new DurationOption("--interval") { Description = "How often counters are printed",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(5) };
        var resume = new Option<bool>("--resume") { Description =
            "Allow TLS session resumption (off: every connect is a full handshake, as the MQTT benchmark measures)" };
        var results = new Option<string>("--out") { Description = "Directory for the results JSON written on exit",
            DefaultValueFactory = _ => "results" };
        var prometheus = new Option<string?>("--prometheus") { Description =
            "Serve the counters at http://HOST:PORT/metrics for Prometheus (e.g. 127.0.0.1:9464)" };
        var mqtt = new Option<string>("--mqtt") { Description = "MQTT versions accepted: 5, 3.1.1 or both",
            DefaultValueFactory = _ => "both" };
        var graphite = new ServerGraphiteOptions("mqtt");
        var workerId = new Option<int?>("--worker-id") { Description = "Internal: set by a --workers parent on its children",
            Hidden = true };

        var cmd = new Command("mqtt",
            "MQTT broker (v5 and 3.1.1) over mutual TLS (client certificate required by default, CRL checked, reloaded on change).")
        {
            pki, tls, ciphers, engine, workers, clientCert, maxAcceptRate, backlog, handshakeTimeout, connectTimeout, maxPacket, mqtt,
                interval, resume, results, prometheus, workerId,
        };
        listen.AddTo(cmd, oldBind: true);
        graphite.AddTo(cmd);
        LegacyNames.Add(cmd, results, "--results");
        LegacyNames.Add(cmd, interval, "--report-interval");
        CommandAction.Set(cmd, async (p, ct) =>
        {
            // Before any socket exists (workers inherit the variable from this process).
            var inlineCompletions = InlineSocketCompletions.EnableUnlessSet();
            var endpoint = listen.Read(p);
            var options = new MqttBrokerOptions
            {
                Bind = endpoint.Address,
                Port = endpoint.Port,
                Tls = TlsOptions.Create(p.GetValue(tls), p.GetValue(ciphers), p.GetValue(resume)),
                ClientCerts = ClientCertModes.Parse(p.GetValue(clientCert)),
                Engine = TlsEngines.Parse(p.GetValue(engine)),
                Workers = p.GetValue(workers),
                WorkerId = p.GetValue(workerId),
                MaxAcceptRate = p.GetValue(maxAcceptRate),
                Backlog = p.GetValue(backlog),
                HandshakeTimeout = p.GetValue(handshakeTimeout),
                ConnectTimeout = p.GetValue(connectTimeout),
                MaxPacketSize = p.GetValue(maxPacket),
                AcceptedVersions = MqttVersions.ParseSet(p.GetValue(mqtt), "--mqtt"),
                ReportInterval = p.GetValue(interval),
            }.Validate();
            var graphiteTo = graphite.Read(p); // bad input before any socket
            var manifest = DefaultPki.Resolve(p.GetValue(pki), msg => Console.Error.WriteLine(msg));
            var resultsDir = p.GetValue(results)!;

            if (options.WorkerId is { } id)
            {
                await MqttServerWorkers.RunChildAsync(options, manifest, id, Log, ct);
                return ExitCodes.Ok;
            }

            var started = DateTimeOffset.UtcNow;
            _ = ResidentMemory.Bytes; // its descriptor opened before connections can take the last one
            PrintConfiguration(options, manifest);
            Console.WriteLine($"  {"io-completions",-18} {(inlineCompletions ? "inline (epoll threads)" : "thread pool")}");
            MqttBrokerSnapshot final;
            var restarts = 0;
            using var prom = PrometheusEndpoint.StartIfGiven(p.GetValue(prometheus));
            if (options.Workers > 1)
            {
                await using var workers = await MqttServerWorkers.StartAsync(options, Environment.GetCommandLineArgs().Skip(1).ToList(),
                    Log, ct);
                ExposeMetrics(prom, workers.Snapshot);
                await using var graphiteOut = graphiteTo.Start(() => workers.Snapshot().GraphiteMetrics(), Console.WriteLine);
                Console.WriteLine(
                    $"{options.Workers} workers (pids {string.Join(',', workers.Pids)}) share the port with SO_REUSEPORT; one that dies " +
                    $"is restarted");
                Console.WriteLine($"listening on {options.Bind}:{options.Port}");
                await ReportUntilStoppedAsync(workers.Snapshot, options.ReportInterval, ct);
                await workers.DisposeAsync();
                final = workers.Snapshot();
                restarts = workers.Restarts;
                if (restarts > 0) Console.WriteLine($"worker restarts: {restarts}");
            }
            else
            {
                await using var broker = new MqttBroker(options, manifest, Log);
                broker.Start();
                ExposeMetrics(prom, broker.Snapshot);
                await using var graphiteOut = graphiteTo.Start(() => broker.Snapshot().GraphiteMetrics(), Console.WriteLine);
                Console.WriteLine($"CRL: {broker.Crl?.Count ?? 0} revoked serials, reloaded when {manifest.PathOf(manifest.Crl)} changes");
                Console.WriteLine($"listening on {FormatEndPoint(broker.LocalEndPoint!)}");
                final = await ReportUntilStoppedAsync(broker.Snapshot, options.ReportInterval, ct);
                await broker.StopAsync(TimeSpan.FromSeconds(10));
                final = broker.Snapshot();
            }
            Console.WriteLine($"final: {final.Format()}");
            var doc = MqttBrokerResults.Build(options, manifest, final, started, restarts);
            if (graphiteTo.Describe() is { } g) doc.Config["graphite"] = g;
            Console.WriteLine(ResultsFile.Write(doc, resultsDir,
                $"server-mqtt-{ResultsFile.Timestamp(started)}-{Environment.ProcessId}.json"));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static void ExposeMetrics(PrometheusEndpoint? prom, Func<MqttBrokerSnapshot> snapshot)
    {
        if (prom is null) return;
        BrokerMetrics.Expose(prom, snapshot);
        Console.WriteLine($"prometheus metrics at {prom.Url}");
    }

    internal static void Log(string message) =>
        Console.Error.WriteLine($"{DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {message}");

    internal static string FormatEndPoint(IPEndPoint ep) =>
        ep.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ep.Address}]:{ep.Port}" : $"{ep.Address}:{ep.Port}";

    private static void PrintConfiguration(MqttBrokerOptions options, PkiManifest manifest)
    {
        Console.WriteLine($"connburst serve mqtt (pid {Environment.ProcessId})");
        foreach (var (name, value) in options.Describe()) Console.WriteLine($"  {name,-18} {value}");
        Console.WriteLine($"  {"pki",-18} {manifest.Directory} ({manifest.KeyType}, CA {manifest.Ca.Cert}, CRL {manifest.Crl})");
    }

    /// <summary>Prints a counters line every interval until Ctrl-C; returns the last snapshot.</summary>
    internal static async Task<MqttBrokerSnapshot> ReportUntilStoppedAsync(Func<MqttBrokerSnapshot> snapshot, TimeSpan interval,
        CancellationToken ct)
    {
        var start = DateTime.UtcNow;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
                Console.WriteLine($"[{(DateTime.UtcNow - start).TotalSeconds:0}s] {snapshot().Format()} {MemoryLine()}");
        }
        catch (OperationCanceledException) { /* Ctrl-C: the normal way a server ends */ }
        Console.WriteLine("stopping (Ctrl-C)");
        return snapshot();
    }

    /// <summary>This process's memory, to see what idle connections cost (with --workers, the parent's only).</summary>
    private static string MemoryLine() => $"rss={ResidentMemory.Bytes >> 20}MiB gc-heap={GC.GetTotalMemory(false) >> 20}MiB";

}
