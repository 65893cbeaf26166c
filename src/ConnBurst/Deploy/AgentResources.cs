using System.Globalization;

namespace ConnBurst.Deploy;

/// <summary>
/// What one agent pod asks of its node, from its share of the plan and the figures measured in docs/SCALE.md
/// ("Inputs"): every client held at once, each at the generator's all-in RSS per connection (I9) plus the kernel's
/// socket memory, which the pod's cgroup is charged for too (I15), and each process's own base (I10).
/// </summary>
internal sealed record AgentResources(int MemoryRequestMiB, int MemoryLimitMiB, string Cpu)
{
    /// <summary>docs/SCALE.md I9: 50,000 held by 3 workers and their parent, 1,673 MiB.</summary>
    public const double KiBPerHeldConnection = 34.3;
    /// <summary>docs/SCALE.md I15: kernel slab per idle TCP socket.</summary>
    public const double KernelKiBPerSocket = 3.8;
    /// <summary>docs/SCALE.md I10: one burst process holding one client.</summary>
    public const double BaseMiBPerProcess = 66;
    /// <summary>Head room of the limit over the request: a reconnect cycle's closing sockets and the results' histograms.</summary>
    public const double LimitOverRequest = 1.5;

    /// <param name="clients">The most clients one agent holds (its shard of the run).</param>
    /// <param name="processes">The agent's processes: its workers, plus the parent when there are several.</param>
    /// <param name="cpu">The CPU request, as Kubernetes writes a quantity.</param>
    public static AgentResources For(int clients, int processes, string cpu)
    {
        var mib = clients * (KiBPerHeldConnection + KernelKiBPerSocket) / 1024 + processes * BaseMiBPerProcess;
        return new AgentResources(RoundUp(mib), RoundUp(mib * LimitOverRequest), cpu);
    }

    public string Request => Quantity(MemoryRequestMiB);
    public string Limit => Quantity(MemoryLimitMiB);

    // Whole 64 MiB steps: the figures behind them are not finer than that.
    private static int RoundUp(double mib) => (int)Math.Ceiling(mib / 64) * 64;

    private static string Quantity(int mib) => mib % 1024 == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{mib / 1024}Gi")
        : string.Create(CultureInfo.InvariantCulture, $"{mib}Mi");
}
