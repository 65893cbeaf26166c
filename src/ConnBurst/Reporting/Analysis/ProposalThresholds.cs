namespace ConnBurst.Reporting.Analysis;

/// <summary>
/// The evidence thresholds of <see cref="ProposalRules"/>, each named once here and quoted in the evidence it gates.
/// A rule fires only at or past its thresholds; below them it says nothing (never a guess).
/// </summary>
internal sealed record ProposalThresholds
{
    /// <summary>The server process at this much of one core (its busiest interval) counts as CPU-bound: the SLO's busy line.</summary>
    public double ServerCpuBound { get; init; } = 85;
    /// <summary>The busiest thread's share of the process's CPU from which the process counts as doing its work on one thread.</summary>
    public double SingleThreadShare { get; init; } = 0.8;
    /// <summary>One RSA private-key sign, measured on the spot, as a share of the server's CPU per connect, from which the key is
    /// a cost worth changing.</summary>
    public double SignShareOfConnect { get; init; } = 0.15;
    /// <summary>With a perf profile: the busiest profiled thread's share of samples in libcrypto from which the thread is
    /// mostly doing crypto (below it the profile contradicts the sign cost, and the key proposal is not made).</summary>
    public double LibcryptoShare { get; init; } = 0.3;
    /// <summary>The accept queue at this share of the listen backlog in one sample counts as full.</summary>
    public double BacklogFullShare { get; init; } = 0.9;
    /// <summary>Kernel listen drops (ListenOverflows, ListenDrops or SYN-queue drops) over the recording that count, when the
    /// watched port's accept queue also held connections.</summary>
    public double ListenDrops { get; init; } = 1;
    /// <summary>Connections waiting in the watched port's accept queue that make the kernel's machine-wide drops its own.</summary>
    public double AcceptQueueSeen { get; init; } = 1;
    /// <summary>Server Recv-Q bytes (sum over connections) that mean the server is not reading.</summary>
    public double RecvQBytes { get; init; } = 16 * 1024;
    /// <summary>Free memory under this share of the machine is memory pressure.</summary>
    public double MemAvailableShare { get; init; } = 0.05;
    /// <summary>Generator scheduler lag p99 (ms) from which the generator is short of CPU for its schedule.</summary>
    public double GeneratorLagMs { get; init; } = 50;
    /// <summary>The generator's threads' time waiting for a CPU as a share of their runnable time (waiting + running) from which it
    /// was starved of CPU: at 0.5 they waited as long as they ran.</summary>
    public double RunQueueShare { get; init; } = 0.5;
    /// <summary>Attempts per second the generator made, over the offered rate, under which it could not offer the rate.</summary>
    public double OfferedRateShare { get; init; } = 0.9;
    /// <summary>The share of each agent's CPU a sizing plans to use: headroom so the agents are not the next bottleneck.</summary>
    public double AgentCpuBudget { get; init; } = 0.7;
    /// <summary>Attempts failed for want of a local port or address (no-local-port) that point at the port range.</summary>
    public double NoLocalPortFailures { get; init; } = 1;
    /// <summary>Server CPU per connect with one TLS version over the other's (two runs of one server) from which the cheaper
    /// version is proposed: this machine's side-by-side noise is about 10% (docs/BENCHMARKS.md, "Round six").</summary>
    public double TlsVersionCostRatio { get; init; } = 1.15;
    /// <summary>The busiest profiled thread's share of samples in CRL lookups from which the CRL is a cost worth indexing.</summary>
    public double CrlShare { get; init; } = 0.1;
}
