using System.CommandLine;
using System.Globalization;
using ConnBurst.Cli.Progress;
using ConnBurst.Cli.Prometheus;
using ConnBurst.Common;
using ConnBurst.Export;
using ConnBurst.Load;
using ConnBurst.Recording;
using ConnBurst.Reporting;
using ConnBurst.Tls;

namespace ConnBurst.Cli.Commands;

/// <summary><c>connburst burst</c>: the MQTT v5 mutual-TLS connection-burst load generator (issue 4).</summary>
public static class BurstCommand
{
    public static Command Create()
    {
        var target = new Option<string>("--target") { Description = "Server HOST:PORT", DefaultValueFactory = _ => "127.0.0.1:8884" };
        var pki = new Option<string?>("--pki") { Description = "PKI directory (default: $CONNBURST_HOME/pki, created on first use)" };
        var cert = new Option<string?>("--cert") { Description = "Client certificate PEM shared by every client (default: the PKI's client cert)" };
        var key = new Option<string?>("--key") { Description = "Private key PEM of --cert" };
        var ca = new Option<string?>("--ca") { Description = "CA certificate PEM the server must chain to (default: the PKI's CA)" };
        var perClient = new Option<bool>("--per-client-certs") { Description = "Use the PKI's per-client certificates (certs --clients N) round-robin" };
        var tls = new Option<string>("--tls") { Description = "TLS version: 1.2, 1.3 or any", DefaultValueFactory = _ => "1.2" };
        var ciphers = new Option<string?>("--ciphers") { Description = "Cipher suites, comma-separated (IANA or OpenSSL names)" };
        var engine = new Option<string>("--tls-engine") { Description = "TLS engine for the clients: openssl (libssl directly, one SSL_CTX per run) or sslstream (.NET's SslStream)", DefaultValueFactory = _ => "openssl" };
        var resume = new Option<bool>("--resume") { Description = "Allow TLS session resumption (off: every connect is a full handshake)" };
        var serverName = new Option<string?>("--server-name") { Description = "TLS server name to verify (default: the target host)" };
        var clients = new Option<int>("--clients") { Description = "Number of clients (with --client-list: at most this many of the list; 0 all)", DefaultValueFactory = _ => 1000 };
        var rate = new Option<double>("--rate") { Description = "Connection attempts per second (open loop, reconnects included)", DefaultValueFactory = _ => 100 };
        var linger = new Option<string?>("--linger") { Description = "Stay connected this long, then DISCONNECT and reconnect (e.g. 30s); default: hold" };
        var reconnectDelay = new Option<string>("--reconnect-delay") { Description = "Pause between a close and the next attempt", DefaultValueFactory = _ => "0s" };
        var duration = new Option<string?>("--duration") { Description = "Run length (default: until every client's first attempt settled; with --linger: until Ctrl-C)" };
        var keepAlive = new Option<string>("--keepalive") { Description = "MQTT keepalive (PINGREQ period while holding)", DefaultValueFactory = _ => "60s" };
        var timeout = new Option<string>("--timeout") { Description = "Connect timeout, from the due time to CONNACK", DefaultValueFactory = _ => "10s" };
        var prefix = new Option<string>("--client-id-prefix") { Description = "Client ids are PREFIX + number", DefaultValueFactory = _ => "connburst-" };
        var sourceIps = new Option<string?>("--source-ips") { Description = "Local addresses to bind, round-robin: 127.0.0.2-127.0.0.19 or a,b,c" };
        var clientList = new Option<string?>("--client-list") { Description = "Client list: connburst clientlist's format or mqttbench's JSON" };
        var workers = new Option<int>("--workers") { Description = "Worker processes (0: automatic, one per 18,000 clients)" };
        var snapshot = new Option<string>("--snapshot") { Description = "Interval snapshot period", DefaultValueFactory = _ => "4s" };
        var results = new Option<string>("--results") { Description = "Results directory", DefaultValueFactory = _ => "results" };
        var behind = new Option<double>("--behind-threshold-ms") { Description = "Scheduler lag that counts as the generator falling behind", DefaultValueFactory = _ => 10 };
        var monitor = new Option<string?>("--monitor") { Description = "Monitor HOST:PORT to start/stop with the run" };
        var graphite = new Option<string?>("--graphite") { Description = "Graphite plaintext HOST:PORT to send interval metrics to" };
        var graphiteRoot = new Option<string?>("--graphite-root") { Description = "Graphite metric root: metrics are [ROOT.]connburst.INSTANCE.CON, ...ConnLat_99P" };
        var prometheus = new Option<string?>("--prometheus") { Description = "Serve live interval metrics at http://HOST:PORT/metrics for Prometheus (e.g. 127.0.0.1:9465)" };
        var instance = new Option<string>("--instance") { Description = "Instance name in Graphite metrics", DefaultValueFactory = _ => Environment.MachineName };
        var shard = new Option<string?>("--worker-shard") { Description = "internal: run shard i/n as a worker", Hidden = true };
        var startAt = new Option<long?>("--start-at") { Description = "internal: the run's t0, Unix ms", Hidden = true };

        var cmd = new Command("burst", "MQTT v5 mutual-TLS connection bursts: open-loop paced connects timed by phase (tcp, tls, connack, total) into HdrHistograms.")
        {
            target, pki, cert, key, ca, perClient, tls, ciphers, engine, resume, serverName, clients, rate, linger, reconnectDelay, duration, keepAlive,
            timeout, prefix, sourceIps, clientList, workers, snapshot, results, behind, monitor, graphite, graphiteRoot, prometheus, instance, shard, startAt,
        };
        CommandAction.Set(cmd, async (p, ct) =>
        {
            // Before any socket exists; worker processes inherit it. The generator too pays a thread-pool hand-off per
            // handshake step otherwise: 13% more CPU per connect, medians of 3 alternating rounds (docs/DECISIONS.md).
            Transport.InlineSocketCompletions.EnableUnlessSet();
            var options = new BurstOptions
            {
                Target = HostPort.Parse(p.GetValue(target)!, "--target"),
                PkiDir = p.GetValue(pki),
                CertPath = p.GetValue(cert),
                KeyPath = p.GetValue(key),
                CaPath = p.GetValue(ca),
                PerClientCerts = p.GetValue(perClient),
                Tls = TlsOptions.Create(p.GetValue(tls), p.GetValue(ciphers), p.GetValue(resume)),
                TlsEngine = TlsEngines.Parse(p.GetValue(engine)),
                ServerName = p.GetValue(serverName),
                Clients = p.GetValue(clients),
                Rate = p.GetValue(rate),
                Linger = p.GetValue(linger) is { } l ? Durations.Parse(l, "--linger") : null,
                ReconnectDelay = Durations.Parse(p.GetValue(reconnectDelay)!, "--reconnect-delay"),
                Duration = p.GetValue(duration) is { } d ? Durations.Parse(d, "--duration") : null,
                KeepAlive = Durations.Parse(p.GetValue(keepAlive)!, "--keepalive"),
                ConnectTimeout = Durations.Parse(p.GetValue(timeout)!, "--timeout"),
                ClientIdPrefix = p.GetValue(prefix)!,
                SourceIps = p.GetValue(sourceIps),
                ClientListPath = p.GetValue(clientList),
                Workers = p.GetValue(workers),
                Snapshot = Durations.Parse(p.GetValue(snapshot)!, "--snapshot"),
                ResultsDir = p.GetValue(results)!,
                BehindThresholdMs = p.GetValue(behind),
                Monitor = p.GetValue(monitor),
                Graphite = p.GetValue(graphite),
                GraphiteRoot = p.GetValue(graphiteRoot),
                Instance = p.GetValue(instance)!,
            };
            if (p.GetValue(shard) is { } s) return await RunWorker(options, s, p.GetValue(startAt), ct);

            var view = new BurstProgressView();
            var plan = BurstPlan.Prepare(options, view.Note);
            using var prom = PrometheusEndpoint.StartIfGiven(p.GetValue(prometheus));
            IProgress<IntervalProgress> progress = prom is null ? view : new BurstMetrics(prom, view);
            if (prom is not null) Console.WriteLine($"prometheus metrics at {prom.Url}");
            var doc = await view.RunAsync(() => BurstRunner.RunAsync(plan, progress, ct, view.Note));
            PrintSummary(doc);
            var path = doc.Section("files")?["results"]?.GetValue<string>() ?? "";
            Console.WriteLine(path);
            return doc.Outcome is BurstOutcomes.Completed or BurstOutcomes.Interrupted ? ExitCodes.Ok : ExitCodes.RunFailed;
        });
        return cmd;
    }

    private static async Task<int> RunWorker(BurstOptions options, string shard, long? startAtMs, CancellationToken ct)
    {
        var parts = shard.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var i) || !int.TryParse(parts[1], out var n) || n < 1 || i < 0 || i >= n)
            throw new InputException($"--worker-shard: '{shard}' is not i/n");
        options = options with
        {
            ShardIndex = i,
            ShardCount = n,
            Workers = 1,
            StartAt = startAtMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.UtcNow,
            ProbeTargets = false,
        };
        var outcome = await BurstRunner.RunWorkerAsync(options, Console.Out, ct, line => Console.Error.WriteLine(line));
        Console.Out.WriteLine(WorkerPool.WorkerOutcomePrefix + outcome);
        Console.Out.Flush();
        return ExitCodes.Ok;
    }

    private static void PrintSummary(ResultsDocument doc)
    {
        var c = doc.Counts;
        Console.WriteLine($"outcome {doc.Outcome}: attempted {c.Attempted}, connacks {c.Connacks}, connected at end {c.Connected}" +
                          (c.Failed.Count > 0 ? ", failed " + string.Join(", ", c.Failed.Select(kv => $"{kv.Key}={kv.Value}")) : ", 0 failed"));
        foreach (var (phase, s) in doc.Latency)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {phase,-15} n={s.Count,-7} min {s.Min:0.00}  avg {s.Avg:0.00}  p50 {s.P50:0.00}  p75 {s.P75:0.00}  p90 {s.P90:0.00}  p95 {s.P95:0.00}  p99 {s.P99:0.00}  p99.9 {s.P999:0.00}  max {s.Max:0.00} ms"));
        if (doc.Section("generator") is { } g)
            Console.WriteLine($"  generator: cpu {g["cpuSeconds"]} s ({g["cpuMsPerAttempt"]} ms/attempt), rss {(long)g["rssBytes"]! / 1048576} MiB, " +
                              $"scheduler lag p99 {g["schedulerLagMs"]?["p99"]} ms max {g["schedulerLagMs"]?["max"]} ms{((bool)g["fellBehind"]! ? ", FELL BEHIND schedule" : "")}");
    }
}
