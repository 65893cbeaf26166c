using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ConnBurst.Common;
using ConnBurst.Stages;
using ConnBurst.Mqtt;
using ConnBurst.Tls;
using ConnBurst.Transport;

namespace ConnBurst.Load;

/// <summary>
/// Everything a burst run is told, immutable. Built by the CLI (or by <c>peak</c>/<c>demo</c>) and checked once by
/// <see cref="Validate"/>; <see cref="BurstPlan.Prepare"/> then loads files and resolves names, also at the edge.
/// </summary>
internal sealed record BurstOptions
{
    /// <summary>Where clients connect; ignored for clients that a client list sends elsewhere.</summary>
    public HostPort Target { get; init; } = new("127.0.0.1", 8884);
    /// <summary>Clients in the run (0 with a client list: every client in the list).</summary>
    public int Clients { get; init; } = 1000;
    /// <summary>Connection attempts per second, first wave and reconnects alike.</summary>
    public double Rate { get; init; } = 100;
    /// <summary>
    /// A staged plan (<c>--stages</c>) instead of <see cref="Rate"/>: the whole run's rate stage by stage. The run then lasts
    /// the stages' total (no <see cref="Duration"/>), and <see cref="Clients"/> 0 means as many as the plan needs
    /// (<see cref="StagedClients"/>).
    /// </summary>
    public StagePlan? Stages { get; init; }
    /// <summary>The whole run's arrival schedule: the stages, or the constant <see cref="Rate"/>.</summary>
    [JsonIgnore] public ArrivalSchedule Schedule => Stages ?? ArrivalSchedule.Constant(Rate);
    /// <summary>How long attempts are offered: the stages' total, or <see cref="Duration"/>; null: until done or Ctrl-C.</summary>
    [JsonIgnore] public TimeSpan? RunLength => Stages?.Total ?? Duration;
    /// <summary>How long a client stays connected before DISCONNECT and a reconnect; null: hold until the run ends.</summary>
    public TimeSpan? Linger { get; init; }
    /// <summary>Pause between a client's close and its next attempt (with <see cref="Linger"/>).</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.Zero;
    /// <summary>How long the run lasts. Null: until every client's first attempt has settled (without linger) or Ctrl-C.</summary>
    public TimeSpan? Duration { get; init; }
    /// <summary>The MQTT version every client speaks (<c>--mqtt 3.1.1|5</c>).</summary>
    public MqttVersion MqttVersion { get; init; } = MqttVersion.V5;
    /// <summary>
    /// Each connect is TCP and a TLS handshake, nothing of MQTT (<c>--tls-only</c>): no CONNECT, keepalive or DISCONNECT, a
    /// close_notify at the end. A completed handshake (over TLS 1.3: one the server confirmed) counts as the "connack"; the MQTT
    /// options are ignored.
    /// </summary>
    public bool TlsOnly { get; init; }
    /// <summary>MQTT keepalive: the CONNECT field and the PINGREQ period while holding.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>An attempt that has no CONNACK (with <see cref="TlsOnly"/>: no finished handshake) this long after it was due counts
    /// as timed out.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public string ClientIdPrefix { get; init; } = "connburst-";
    /// <summary>Source addresses to bind, round-robin; null: the kernel picks.</summary>
    public string? SourceIps { get; init; }
    public string? ClientListPath { get; init; }
    /// <summary>Worker processes; 0: automatic (one per ~18,000 clients).</summary>
    public int Workers { get; init; }
    public TimeSpan Snapshot { get; init; } = TimeSpan.FromSeconds(4);
    public string ResultsDir { get; init; } = "results";
    /// <summary>TLS version, ciphers and resumption, from the Tls/ layer.</summary>
    public TlsOptions Tls { get; init; } = TlsOptions.Default;
    /// <summary>What runs the clients' TLS; the native engine by default (docs/DECISIONS.md, "TLS: a thin libssl client engine").</summary>
    public TlsEngine TlsEngine { get; init; } = TlsEngine.OpenSsl;
    public string? PkiDir { get; init; }
    public string? CertPath { get; init; }
    public string? KeyPath { get; init; }
    /// <summary>Trust this CA file for the server certificate instead of the PKI's CA.</summary>
    public string? CaPath { get; init; }
    /// <summary>Use the PKI's per-client certificates (certs --clients N) round-robin instead of the shared one.</summary>
    public bool PerClientCerts { get; init; }
    /// <summary>The TLS server name; default: the target host.</summary>
    public string? ServerName { get; init; }
    /// <summary>Scheduler lag above which the generator reports itself behind schedule.</summary>
    public double BehindThresholdMs { get; init; } = 10;
    public string? Monitor { get; init; }
    public string? Graphite { get; init; }
    /// <summary>Graphite metric root: metrics are <c>[ROOT.]connburst.INSTANCE.NAME</c>.</summary>
    public string? GraphiteRoot { get; init; }
    /// <summary>Graphite/monitor instance name.</summary>
    public string Instance { get; init; } = Environment.MachineName;
    /// <summary>Skip the TCP probe of each destination before load (tests of unreachable targets turn it off).</summary>
    public bool ProbeTargets { get; init; } = true;

    /// <summary>
    /// This agent's part of the run (<c>--shard I/N</c>): global clients I, I+N…, rate/N, interleaved on the global
    /// schedule. Every other option describes the whole run, identically on every agent.
    /// </summary>
    public Shard Shard { get; init; } = Shard.Whole;
    /// <summary>The run's t0 on the wall clock (<c>--start-at</c>); null: a moment after the plan is ready.</summary>
    public DateTimeOffset? StartAt { get; init; }

    /// <summary>At most this many connections per process: the hard fd limit here is 20,000.</summary>
    public const int MaxConnectionsPerProcess = 18_000;

    public void Validate()
    {
        if (Clients < 0) throw new InputException($"--clients: {Clients} must not be negative");
        if (Clients == 0 && ClientListPath is null && Stages is null)
            throw new InputException("--clients: give a number of clients (or a --client-list)");
        if (Stages is not null && Duration is not null)
        {
            throw new InputException($"--duration: a staged run lasts its stages' total ({Durations.Format(Stages.Total)}); " +
                                     "drop --duration " +
                                     "or change --stages");
        }
        if (!(Rate > 0) || double.IsInfinity(Rate))
            throw new InputException($"--rate: {Rate} must be a positive number of attempts per second");
        if (Linger is { } l && l <= TimeSpan.Zero) throw new InputException("--linger: must be positive");
        if (ReconnectDelay < TimeSpan.Zero) throw new InputException("--reconnect-delay: must not be negative");
        if (Duration is { } d && d <= TimeSpan.Zero) throw new InputException("--duration: must be positive");
        if (KeepAlive.TotalSeconds is < 1 or > 65_535) throw new InputException("--keepalive: must be between 1s and 65535s");
        if (ConnectTimeout <= TimeSpan.Zero) throw new InputException("--timeout: must be positive");
        if (Snapshot < TimeSpan.FromMilliseconds(100)) throw new InputException("--snapshot: must be at least 100ms");
        if (Workers < 0 || Workers > 64) throw new InputException($"--workers: {Workers} must be between 0 (automatic) and 64");
        if ((CertPath is null) != (KeyPath is null)) throw new InputException("--cert and --key go together");
        if (PerClientCerts && CertPath is not null) throw new InputException("--per-client-certs and --cert exclude each other");
        if (Mqtt.MqttStrings.Check(ClientIdPrefix + "0", "--client-id-prefix") is { } e) throw new InputException(e);
        if (Monitor is not null) HostPort.Parse(Monitor, "--monitor");
        if (Graphite is not null) HostPort.Parse(Graphite, "--graphite", 2003);
        if (Target.Port is < 1 or > 65535) throw new InputException($"--target: port {Target.Port} is not 1-65535");
    }

    /// <summary>
    /// The clients a staged run uses when <c>--clients</c> is not given, and the check of a given number against its plan
    /// (docs/DECISIONS.md, "Load: staged arrival rates"). Without linger each client connects once, so the plan needs
    /// one client per attempt. With linger a client is busy at least linger + reconnect delay a cycle, so the busiest stage
    /// needs its rate times that; the default adds the connect timeout, the longest an attempt takes, so a slow server
    /// never leaves the pacer without a ready client.
    /// </summary>
    public int StagedClients(int given)
    {
        var plan = Stages!;
        var attempts = (int)Math.Ceiling(plan.TotalAttempts - 1e-9);
        if (Linger is not { } linger)
        {
            if (given == 0) return attempts;
            if (given >= attempts) return given;
            var stage = Enumerable.Range(0, plan.Count).First(i => plan.AttemptsAt(plan.EndSeconds(i)) > given);
            throw new InputException(
                $"--clients: {given} clients run out in stage {stage + 1} ({plan.Stages[stage]}): the plan offers {attempts} attempts " +
                "and, " +
                $"without --linger, each client connects once; give --clients {attempts} or more, add --linger, or leave --clients out");
        }
        var cycle = (linger + ReconnectDelay).TotalSeconds;
        var busiest = Enumerable.Range(0, plan.Count).MaxBy(i => plan.Stages[i].MaxRate);
        var least = (int)Math.Ceiling(plan.Stages[busiest].MaxRate * cycle - 1e-9);
        if (given == 0) return Math.Min(attempts, (int)Math.Ceiling(plan.MaxRate * (cycle + ConnectTimeout.TotalSeconds)));
        if (given >= least) return given;
        throw new InputException(
            $"--clients: {given} clients cannot keep stage {busiest + 1} ({plan.Stages[busiest]}) on schedule: with --linger " +
            $"{Durations.Format(linger)} and --reconnect-delay {Durations.Format(ReconnectDelay)} each client is busy at least " +
            $"{cycle.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}s a cycle, so it needs at least {least}; " +
            "give more, a shorter --linger, or leave --clients out");
    }

    /// <summary>Worker processes the run will use: as asked, or one per <see cref="MaxConnectionsPerProcess"/> clients.</summary>
    public int EffectiveWorkers(int clients) => Workers > 0 ? Workers
        : Math.Max(1, (clients + MaxConnectionsPerProcess - 1) / MaxConnectionsPerProcess);

    /// <summary>The effective configuration, as printed at start and embedded in the results.</summary>
    public JsonObject Describe(BurstPlan plan) => new()
    {
        ["target"] = Target.ToString(),
        ["clients"] = plan.Clients,
        ["rate"] = Stages is null ? Rate : null,
        ["stages"] = Stages?.ToString(),
        ["linger"] = Linger is { } l ? Durations.Format(l) : null,
        ["reconnectDelay"] = Durations.Format(ReconnectDelay),
        ["duration"] = Duration is { } d ? Durations.Format(d) : null,
        ["mqtt"] = MqttVersion.Name(),
        ["tlsOnly"] = TlsOnly,
        ["keepAlive"] = Durations.Format(KeepAlive),
        ["connectTimeout"] = Durations.Format(ConnectTimeout),
        ["clientIdPrefix"] = ClientIdPrefix,
        ["sourceIps"] = plan.Sources?.ToString(),
        ["clientList"] = plan.List is { } cl ? new JsonObject
        {
            ["path"] = cl.SourcePath, ["format"] = cl.Format, ["clients"] = cl.Count, ["destinations"] = cl.Destinations.Count,
            ["credentials"] = cl.Credentials.Count,
            ["unknownFields"] = new JsonObject(cl.UnknownFields.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        } : null,
        ["workers"] = plan.Workers,
        ["shard"] = new JsonObject { ["index"] = Shard.Index, ["count"] = Shard.Count, ["clients"] = Shard.ClientsOf(plan.Clients) },
        ["startAt"] = StartAt is { } t ? StartTime.Format(t) : null,
        ["snapshot"] = Durations.Format(Snapshot),
        ["tls"] = new JsonObject
        {
            ["version"] = Tls.Protocol.Name(),
            ["ciphers"] = Tls.Ciphers.Count == 0 ? "default" : string.Join(',', Tls.Ciphers),
            ["resumption"] = Tls.AllowResume,
            ["serverName"] = plan.ServerName,
            ["engine"] = TlsEngine.Name(),
        },
        ["clientCert"] = plan.CredentialDescription,
        ["keyType"] = plan.KeyType,
        ["keyBits"] = plan.KeyBits,
        ["crlRevokedCount"] = plan.Manifest?.RevokedCount,
        ["pki"] = plan.Manifest?.Directory,
        ["behindThresholdMs"] = BehindThresholdMs,
        ["monitor"] = Monitor,
        ["graphite"] = Graphite,
    };
}
