using System.CommandLine;
using ConnBurst.Common;
using ConnBurst.Load;
using ConnBurst.Mqtt;
using ConnBurst.Tls;

namespace ConnBurst.Cli.Commands;

/// <summary>
/// The one declaration of <see cref="BurstOptions"/> on the command line, shared by <c>burst</c> and <c>peak</c>:
/// each option is declared here once and read here once. Worker processes get the result as JSON
/// (<see cref="WorkerAssignment"/>), never as a rebuilt command line. Peak takes the connection options only: it
/// chooses the load shape (clients, rate, duration) itself, step by step.
/// </summary>
internal sealed class BurstOptionsBinder
{
    private readonly bool _loadShape;

    // How to connect: burst and peak.
    private readonly Option<string> _target = new("--target") { Description = "Server HOST:PORT",
        DefaultValueFactory = _ => "127.0.0.1:8884" };
    private readonly Option<string?> _pki = new("--pki") { Description =
        "PKI directory (default: $CONNBURST_HOME/pki, created on first use)" };
    private readonly Option<string?> _cert = new("--cert") { Description =
        "Client certificate PEM shared by every client (default: the PKI's client cert)" };
    private readonly Option<string?> _key = new("--key") { Description = "Private key PEM of --cert" };
    private readonly Option<string?> _ca = new("--ca") { Description =
        "CA certificate PEM the server must chain to (default: the PKI's CA)" };
    private readonly Option<string> _tls = new("--tls") { Description = "TLS version: 1.2, 1.3 or any", DefaultValueFactory = _ => "1.2" };
    private readonly Option<string?> _ciphers = new("--ciphers") { Description = "Cipher suites, comma-separated (IANA or OpenSSL names)" };
    private readonly Option<string> _engine = new("--tls-engine") { Description =
        "TLS engine for the clients: openssl (libssl directly, one SSL_CTX per run) or sslstream (.NET's SslStream)",
        DefaultValueFactory = _ => "openssl" };
    private readonly Option<bool> _resume = new("--resume") { Description =
        "Allow TLS session resumption (off: every connect is a full handshake)" };
    private readonly Option<string?> _serverName =
        new("--server-name") { Description = "TLS server name to verify (default: the target host)" };
    private readonly Option<string> _mqtt = new("--mqtt") { Description = "MQTT version the clients speak: 5 or 3.1.1",
        DefaultValueFactory = _ => "5" };
    private readonly Option<string?> _sourceIps = new("--source-ips") { Description =
        "Local addresses to bind, round-robin over this agent's clients: 127.0.0.2-127.0.0.19 or a,b,c" };
    private readonly Option<string> _timeout;
    private readonly Option<string> _results = new("--results") { Description = "Results directory", DefaultValueFactory = _ => "results" };

    // The load's shape: burst only.
    private readonly Option<bool> _perClient = new("--per-client-certs") { Description =
        "Use the PKI's per-client certificates (certs --clients N) round-robin" };
    private readonly Option<int> _clients = new("--clients") { Description =
        "Clients in the whole run (with --client-list: at most this many of the list; 0 all)", DefaultValueFactory = _ => 1000 };
    private readonly Option<double> _rate = new("--rate") { Description =
        "Connection attempts per second in the whole run (open loop, reconnects included)", DefaultValueFactory = _ => 100 };
    private readonly Option<string?> _stages = new("--stages") { Description =
        "Staged rates instead of --rate: RATE:DURATION or FROM..TO:DURATION (a linear ramp), comma-separated, for the whole run " +
        "(e.g. 100:20s,200:20s,200..800:1m). The run lasts the stages' total (no --duration); each agent of --shard I/N takes 1/N " +
        "of every stage. Without --clients it uses as many clients as the plan needs; results get a per-stage list" };
    private readonly Option<string?> _linger = new("--linger") { Description =
        "Stay connected this long, then DISCONNECT and reconnect (e.g. 30s); default: hold" };
    private readonly Option<string> _reconnectDelay = new("--reconnect-delay") { Description = "Pause between a close and the next attempt",
        DefaultValueFactory = _ => "0s" };
    private readonly Option<string?> _duration = new("--duration") { Description =
        "Run length (default: until every client's first attempt settled; with --linger: until Ctrl-C)" };
    private readonly Option<string> _keepAlive = new("--keepalive") { Description = "MQTT keepalive (PINGREQ period while holding)",
        DefaultValueFactory = _ => "60s" };
    private readonly Option<string> _prefix = new("--client-id-prefix") { Description = "Client ids are PREFIX + global client number",
        DefaultValueFactory = _ => "connburst-" };
    // Burst only: it changes what a connect is, and peak's SLO search was written for a broker's MQTT connects.
    private readonly Option<bool> _tlsOnly = new("--tls-only") { Description =
        "Connect = TCP + TLS handshake, no MQTT (no CONNECT, keepalive or DISCONNECT; close_notify at the end), as openssl " +
        "s_time -new does: load any TLS server. Connacks count completed handshakes; --mqtt and --keepalive are ignored" };
    private readonly Option<string?> _clientList =
        new("--client-list") { Description = "Client list: connburst clientlist's format or mqttbench's JSON" };
    private readonly Option<int> _workers = new("--workers") { Description =
        "Worker processes in this agent (0: automatic, one per 18,000 clients)" };
    private readonly Option<string> _snapshot = new("--snapshot") { Description = "Interval snapshot period",
        DefaultValueFactory = _ => "4s" };
    private readonly Option<double> _behind = new("--behind-threshold-ms") { Description =
        "Scheduler lag that counts as the generator falling behind", DefaultValueFactory = _ => 10 };
    private readonly Option<string?> _monitor = new("--monitor") { Description = "Monitor HOST:PORT to start/stop with the run" };
    private readonly Option<string?> _graphite = new("--graphite") { Description =
        "Graphite plaintext HOST:PORT to send interval metrics to" };
    private readonly Option<string?> _graphiteRoot =
        new("--graphite-root") { Description = "Graphite metric root: metrics are [ROOT.]connburst.INSTANCE.CON, ...ConnLat_99P" };
    private readonly Option<string> _instance = new("--instance") { Description = "Instance name in Graphite metrics",
        DefaultValueFactory = _ => Environment.MachineName };
    private readonly Option<string?> _shard = new("--shard") { Description =
        "Run agent I's part of the run (I/N, 0-based): global clients I, I+N, ..., at rate/N, interleaved on the global schedule" };
    private readonly Option<string?> _startAt = new("--start-at") { Description =
        "Start the schedule at this wall-clock time: RFC 3339 UTC (2026-12-01T23:00:00Z) or +DURATION (+30s); agents given one time " +
        "start together" };

    private BurstOptionsBinder(bool loadShape, string timeoutDefault, string timeoutDescription)
    {
        _loadShape = loadShape;
        _timeout = new("--timeout") { Description = timeoutDescription, DefaultValueFactory = _ => timeoutDefault };
    }

    public static BurstOptionsBinder ForBurst() => new(loadShape: true, "10s",
        "Connect timeout, from the due time to CONNACK (with --tls-only: to the handshake's end)");

    public static BurstOptionsBinder ForPeak() => new(loadShape: false, "5s", "Connect timeout per attempt (bounds each step's tail)");

    public void AddTo(Command cmd)
    {
        Option[] connect = [_target, _pki, _cert, _key, _ca, _tls, _ciphers, _engine, _resume, _serverName, _mqtt, _sourceIps, _timeout,
            _results];
        foreach (var o in connect) cmd.Options.Add(o);
        if (!_loadShape) return;
        Option[] shape =
        [
            _perClient, _clients, _rate, _stages, _linger, _reconnectDelay, _duration, _keepAlive, _prefix, _tlsOnly, _clientList, _workers,
            _snapshot, _behind,
            _monitor, _graphite, _graphiteRoot, _instance, _shard, _startAt,
        ];
        foreach (var o in shape) cmd.Options.Add(o);
    }

    /// <summary>The options as given, validated (one-line <see cref="InputException"/> on the first problem).</summary>
    public BurstOptions Read(ParseResult p)
    {
        var o = new BurstOptions
        {
            Target = HostPort.Parse(p.GetValue(_target)!, "--target"),
            PkiDir = p.GetValue(_pki),
            CertPath = p.GetValue(_cert),
            KeyPath = p.GetValue(_key),
            CaPath = p.GetValue(_ca),
            Tls = TlsOptions.Create(p.GetValue(_tls), p.GetValue(_ciphers), p.GetValue(_resume)),
            TlsEngine = TlsEngines.Parse(p.GetValue(_engine)),
            ServerName = p.GetValue(_serverName),
            MqttVersion = MqttVersions.Parse(p.GetValue(_mqtt), "--mqtt"),
            SourceIps = p.GetValue(_sourceIps),
            ConnectTimeout = Durations.Parse(p.GetValue(_timeout)!, "--timeout"),
            ResultsDir = Path.GetFullPath(p.GetValue(_results)!),
        };
        if (_loadShape)
        {
            o = o with
            {
                PerClientCerts = p.GetValue(_perClient),
                Stages = p.GetValue(_stages) is { } st ? Stages.StagePlan.Parse(st) : null,
                Clients = p.GetValue(_stages) is not null && p.GetResult(_clients) is null or { Implicit: true } ? 0 : p.GetValue(_clients),
                Rate = p.GetValue(_rate),
                Linger = p.GetValue(_linger) is { } l ? Durations.Parse(l, "--linger") : null,
                ReconnectDelay = Durations.Parse(p.GetValue(_reconnectDelay)!, "--reconnect-delay"),
                Duration = p.GetValue(_duration) is { } d ? Durations.Parse(d, "--duration") : null,
                KeepAlive = Durations.Parse(p.GetValue(_keepAlive)!, "--keepalive"),
                ClientIdPrefix = p.GetValue(_prefix)!,
                TlsOnly = p.GetValue(_tlsOnly),
                ClientListPath = p.GetValue(_clientList),
                Workers = p.GetValue(_workers),
                Snapshot = Durations.Parse(p.GetValue(_snapshot)!, "--snapshot"),
                BehindThresholdMs = p.GetValue(_behind),
                Monitor = p.GetValue(_monitor),
                Graphite = p.GetValue(_graphite),
                GraphiteRoot = p.GetValue(_graphiteRoot),
                Instance = p.GetValue(_instance)!,
                Shard = p.GetValue(_shard) is { } s ? Shard.Parse(s) : Shard.Whole,
                StartAt = p.GetValue(_startAt) is { } at ? StartTime.Parse(at, DateTimeOffset.UtcNow) : null,
            };
        }
        if (o.Stages is not null && p.GetResult(_rate) is { Implicit: false })
            throw new InputException("--rate: a staged run takes its rates from --stages; drop --rate");
        o.Validate();
        return o;
    }
}
