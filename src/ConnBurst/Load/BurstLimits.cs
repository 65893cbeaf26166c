using System.Globalization;

namespace ConnBurst.Load;

/// <summary>
/// The limits a burst hits on this machine, named before load starts, one line each: open files per process,
/// ephemeral ports per source address and destination, and memory for the connections held. Warnings, not
/// refusals: the estimates are upper bounds (every client held at once, every close in TIME_WAIT), and the run may
/// still be what the user wants to see fail.
/// </summary>
internal static class BurstLimits
{
    /// <summary>The generator's RSS per idle connected client, all-in (docs/BENCHMARKS.md, bench/loadgen.sh: 26-30 KiB).</summary>
    public const double KiBPerHeldClient = 30;
    /// <summary>A burst process's own RSS before it holds anything (runtime, PKI, histograms).</summary>
    public const double BaseMiBPerProcess = 80;
    /// <summary>How long a closed connection keeps its port on the closing side (Linux's TIME_WAIT).</summary>
    public const double TimeWaitSeconds = 60;
    /// <summary>The share of the ephemeral range one (source, destination) pair holds before connect() slows: just under half.</summary>
    public const double SlowConnectShare = 0.49;

    /// <param name="clients">This agent's clients.</param>
    /// <param name="rate">This agent's attempts per second.</param>
    /// <param name="linger">Hold time per connection, or null: hold until the end.</param>
    /// <param name="workers">Processes the agent runs the clients in.</param>
    /// <param name="fdLimit">Open files allowed per process (null: unknown).</param>
    /// <param name="sources">Source addresses the clients bind (1 when the kernel picks).</param>
    /// <param name="destinations">Server addresses the clients connect to.</param>
    /// <param name="ephemeralPorts">Size of net.ipv4.ip_local_port_range (null: unknown).</param>
    /// <param name="memAvailableMiB">MemAvailable (null: unknown).</param>
    public static List<string> Check(int clients, double rate, TimeSpan? linger, int workers, long? fdLimit, int sources, int destinations,
        int? ephemeralPorts, long? memAvailableMiB)
    {
        var inv = CultureInfo.InvariantCulture;
        var warnings = new List<string>();
        // At most this many connected at once: everyone without a linger, else what the rate opens in one linger.
        double held = linger is { } l ? Math.Min(clients, rate * (l.TotalSeconds + 1)) : clients;
        double perProcess = held / Math.Max(1, workers);
        if (fdLimit is { } fds && perProcess + 64 > fds)
        {
            var need = (int)Math.Ceiling(held / (fds - 64.0));
            warnings.Add(
                string.Create(inv,
                $"limit: about {perProcess:0} connections per process against {fds} open files allowed per process: use --workers {need} " +
                $"or more (or 0: automatic)"));
        }
        // Ports per (source address, destination): connections held plus the closed ones still in TIME_WAIT (the
        // client closes first, so TIME_WAIT is on this side).
        double closesPerSecond = linger is null ? 0 : rate;
        double perPair = (held + closesPerSecond * TimeWaitSeconds) / Math.Max(1, sources * destinations);
        if (ephemeralPorts is { } ports && perPair > ports * 0.9)
        {
            var need = (int)Math.Ceiling((held + closesPerSecond * TimeWaitSeconds) / (ports * 0.9) / Math.Max(1, destinations));
            warnings.Add(
                string.Create(inv,
                $"limit: about {perPair:0} ports per source address and destination (held plus {TimeWaitSeconds:0} s of TIME_WAIT) " +
                $"against {ports} ephemeral ports: give --source-ips with {need} or more addresses"));
        }
        else if (ephemeralPorts is { } range && held / Math.Max(1, sources * destinations) > range * SlowConnectShare)
        {
            // Linux's connect() tries ports of one parity first (the other is bind()'s); once they are all taken for a
            // (source, destination) pair, every connect scans them before it tries the other half. Measured here
            // (2026-12-02, kernel 6.18): 20-25 us of system CPU a connect up to 14,100 held from one address, 1.2-2.3 ms past it.
            var need = (int)Math.Ceiling(held / (range * SlowConnectShare) / Math.Max(1, destinations));
            warnings.Add(
                string.Create(inv,
                $"limit: about {held / Math.Max(1, sources * destinations):0} held per source address and destination, more than half of " +
                $"the {range} ephemeral ports: past half, each connect costs the kernel about 100 times more CPU (it scans the taken " +
                $"half first): give --source-ips with {need} or more addresses"));
        }
        double memMiB = held * KiBPerHeldClient / 1024 + workers * BaseMiBPerProcess;
        if (memAvailableMiB is { } avail && memMiB > avail * 0.9)
        {
            warnings.Add(
                string.Create(inv,
                $"limit: about {memMiB:0} MiB for {held:0} held connections ({KiBPerHeldClient:0} KiB each, measured) against {avail} " +
                $"MiB available: fewer clients per machine, or more agents (--shard)"));
        }
        return warnings;
    }

    /// <summary>The machine's side of <see cref="Check"/>: (open files per process, ephemeral ports, MemAvailable MiB), each null when
    /// unreadable.</summary>
    public static (long? FdLimit, int? EphemeralPorts, long? MemAvailableMiB) ReadMachine()
    {
        var fds = Results.MachineInfo.OpenFilesLimit();
        int? ports = null;
        long? mem = null;
        try
        {
            // "32768\t60999"
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            ports = int.Parse(range[1], CultureInfo.InvariantCulture) - int.Parse(range[0], CultureInfo.InvariantCulture) + 1;
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    mem = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException) { }
        return (fds, ports, mem);
    }
}
