using ConnBurst.Load;
using ConnBurst.Transport;

namespace ConnBurst.Deploy;

/// <summary>
/// One run of N burst agents on Kubernetes, as <c>connburst kube agents</c> was told it: the burst options exactly as
/// typed (already validated by burst's own binder) and what the cluster adds, N given once.
/// </summary>
internal sealed record AgentsPlan
{
    /// <summary>The agent count N: the Job's completions and parallelism and the N of every pod's shard.</summary>
    public required int Agents { get; init; }
    /// <summary>The Job's name; the ConfigMap is NAME-plan and a Secret rendered from a PKI NAME-pki.</summary>
    public required string Name { get; init; }
    public string? Namespace { get; init; }
    public required string Image { get; init; }
    /// <summary>The one start time of every agent.</summary>
    public required DateTimeOffset StartAt { get; init; }
    /// <summary>An existing Secret with the client side of a PKI, or null when <see cref="Pki"/> is rendered.</summary>
    public string? SecretName { get; init; }
    public ClientPkiSecret? Pki { get; init; }
    /// <summary>burst's options as the user typed them: the pods run exactly these, plus their shard and start.</summary>
    public required IReadOnlyList<string> BurstArgs { get; init; }
    /// <summary>The same options as burst reads them.</summary>
    public required BurstOptions Options { get; init; }
    /// <summary>The port burst serves Prometheus metrics on in each pod, when the options ask for it.</summary>
    public int? MetricsPort { get; init; }
    public string Cpu { get; init; } = "2";
    /// <summary>The monitor's token Secret (kube monitor's), read by the pods when it exists: burst --monitor authenticates with
    /// it.</summary>
    public string MonitorTokenSecret { get; init; } = MonitorManifest.DefaultTokenSecret;
    /// <summary>The command that rendered this, written at the top so the output says how to make it again.</summary>
    public required string CommandLine { get; init; }

    /// <summary>The pods' ephemeral port range: the Job's sysctl net.ipv4.ip_local_port_range = 1024 65535.</summary>
    public const int PodEphemeralPorts = 65535 - 1024 + 1;

    public string PlanConfigMap => Name + "-plan";
    public string Secret => SecretName ?? Name + "-pki";

    /// <summary>The most clients one agent takes (agent 0's shard).</summary>
    public int ClientsPerAgent => new Shard(0, Agents).ClientsOf(Options.Clients);
    public int WorkersPerAgent => Options.EffectiveWorkers(ClientsPerAgent);

    public AgentResources Resources =>
        AgentResources.For(ClientsPerAgent, WorkersPerAgent + (WorkersPerAgent > 1 ? 1 : 0), Cpu);

    /// <summary>
    /// The limits burst would name on a pod, before anything is deployed (docs/DECISIONS.md, "Load: the limits a run would
    /// hit are named before it starts"): ports per source address against the pods' widened range. A pod's open-file
    /// limit and memory are the node's, unknown here; its requests are sized instead (<see cref="Resources"/>).
    /// </summary>
    public IReadOnlyList<string> Warnings()
    {
        var o = Options;
        var sources = o.SourceIps is null ? 1 : SourceAddresses.Parse(o.SourceIps).Count;
        var shard = new Shard(0, Agents);
        return BurstLimits.Check(ClientsPerAgent, shard.RateOf(o.Rate), o.Linger, WorkersPerAgent, fdLimit: null, sources,
            destinations: 1, PodEphemeralPorts, memAvailableMiB: null);
    }
}
