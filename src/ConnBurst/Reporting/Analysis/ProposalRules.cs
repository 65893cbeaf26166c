using System.Globalization;

namespace ConnBurst.Reporting.Analysis;

/// <summary>One known cause: when its evidence is there, what to change, what to expect, and how to check it.</summary>
/// <remarks>A row of <see cref="ProposalRules.AcrossRuns"/> reads two runs of the same server instead of one.</remarks>
/// <param name="Thresholds">The <see cref="ProposalThresholds"/> members the rule's evidence is judged against.</param>
/// <param name="Match">The proposal for a run whose evidence passes every threshold, else null.</param>
internal sealed record ProposalRule(string Id, string Cause, IReadOnlyList<string> Thresholds,
    Func<ProposalInputs, ProposalRules.Finding?> Match);

/// <summary>
/// The table from known causes to optimisation proposals (the MQTT benchmark's last analysis step, "propose an
/// optimization"). The table's order is the rank: causes that lose connections outright first, then the server's own
/// limits, then the generator's. A rule is a row here and a small function below it; add a cause by adding both.
/// </summary>
internal static class ProposalRules
{
    public sealed record Finding(string Change, IReadOnlyList<string> Evidence, string Effect, string Command);

    public static readonly IReadOnlyList<ProposalRule> Table =
    [
        new("listen-backlog", "a full or overflowing accept queue, or SYNs dropped",
            [nameof(ProposalThresholds.BacklogFullShare), nameof(ProposalThresholds.ListenDrops),
                nameof(ProposalThresholds.AcceptQueueSeen)],
            ListenBacklog),
        new("ecdsa-server-key", "the server CPU-bound, mostly in private-key operations",
            [nameof(ProposalThresholds.ServerCpuBound), nameof(ProposalThresholds.SignShareOfConnect),
                nameof(ProposalThresholds.LibcryptoShare)],
            EcdsaServerKey),
        new("server-threads", "one server thread saturated while the machine has other cores",
            [nameof(ProposalThresholds.ServerCpuBound), nameof(ProposalThresholds.SingleThreadShare)],
            ServerThreads),
        new("server-not-reading", "the server's Recv-Q building up",
            [nameof(ProposalThresholds.RecvQBytes)],
            ServerNotReading),
        new("indexed-crl", "CRL lookups on the busiest thread",
            [nameof(ProposalThresholds.CrlShare)],
            IndexedCrl),
        new("memory-per-connection", "memory pressure on the server machine",
            [nameof(ProposalThresholds.MemAvailableShare)],
            MemoryPerConnection),
        new("more-agents", "the load generator as the bottleneck",
            [nameof(ProposalThresholds.GeneratorLagMs), nameof(ProposalThresholds.OfferedRateShare),
                nameof(ProposalThresholds.RunQueueShare),
                nameof(ProposalThresholds.AgentCpuBudget)],
            MoreAgents),
        new("source-addresses", "connects failing for want of a local port",
            [nameof(ProposalThresholds.NoLocalPortFailures)],
            SourceAddresses),
    ];

    /// <summary>Rows that compare runs of one server (same target) instead of reading one run: given as (run, its server
    /// figures).</summary>
    public static readonly IReadOnlyList<(string Id, string Cause, IReadOnlyList<string> Thresholds,
        Func<IReadOnlyList<ProposalInputs>, ProposalThresholds, Finding?> Match)> AcrossRuns =
    [
        ("tls-version", "one TLS version costing the server more per connect than the other",
            [nameof(ProposalThresholds.TlsVersionCostRatio)], TlsVersion),
    ];

    private static Finding? TlsVersion(IReadOnlyList<ProposalInputs> runs, ProposalThresholds t)
    {
        var costs = runs.Where(r => r.ServerCpuMsPerConnect is not null && r.TlsVersion is "1.2" or "1.3")
            .GroupBy(r => r.TlsVersion!).Select(g => (Version: g.Key, Ms: g.Average(r => r.ServerCpuMsPerConnect!.Value), Runs: g.Count()))
            .ToList();
        if (costs.Count < 2) return null;
        var cheap = costs.MinBy(c => c.Ms);
        var dear = costs.MaxBy(c => c.Ms);
        if (dear.Ms < t.TlsVersionCostRatio * cheap.Ms) return null;
        return new Finding(
            $"serve TLS {cheap.Version} rather than TLS {dear.Version} where the clients allow it",
            [$"server CPU per connect with TLS {dear.Version}: {F(dear.Ms)} ms ({dear.Runs} run(s)); with TLS {cheap.Version}:" +
                $" {F(cheap.Ms)} ms " +
                $"({cheap.Runs} run(s)): {F(dear.Ms / cheap.Ms)}x (>= {F(t.TlsVersionCostRatio)}x)"],
            $"about {F(dear.Ms / cheap.Ms)}x the connects per second where the server's CPU is the limit (these runs' CPU per connect)",
            ProposalCommands.TlsVersion(cheap.Version, runs[0].Target));
    }

    private static Finding? ListenBacklog(ProposalInputs x)
    {
        if (x.Server is not { } s) return null;
        var evidence = new List<string>();
        var full = s.ListenBacklog is { } backlog && s.AcceptQueueMax is { } queue && queue >= x.T.BacklogFullShare * backlog;
        if (full)
        {
            evidence.Add($"accept queue max {I(s.AcceptQueueMax!.Value)} of a listen backlog of {I(s.ListenBacklog!.Value)} " +
                $"(>= {P(x.T.BacklogFullShare)} of it): the queue was full");
        }
        var k = s.KernelTcp;
        var drops = k is null ? 0 : Math.Max(k.ListenOverflows, Math.Max(k.ListenDrops, k.ReqQFullDrops));
        var ownDrops = drops >= x.T.ListenDrops && s.AcceptQueueMax >= x.T.AcceptQueueSeen;
        if (k is not null && (full || ownDrops))
        {
            evidence.Add($"kernel listen counters over the recording (machine-wide): ListenOverflows +{I(k.ListenOverflows)}, " +
                $"ListenDrops +{I(k.ListenDrops)}, TCPReqQFullDrop +{I(k.ReqQFullDrops)}" +
                (ownDrops ? $" (>= {I(x.T.ListenDrops)}, with this port's accept queue at {I(s.AcceptQueueMax ?? 0)})" : ""));
        }
        if (!full && !ownDrops) return null;
        var limits = $"listen backlog {(s.ListenBacklog is { } b ? I(b) : "unknown")}, net.core.somaxconn " +
            $"{(k?.Somaxconn is { } m ? I(m) : "unknown")}, net.ipv4.tcp_max_syn_backlog" +
                $" {(k?.TcpMaxSynBacklog is { } y ? I(y) : "unknown")}";
        evidence.Add("read from the server machine: " + limits);
        // One second of connects at the offered rate fits while the server catches up; never below the kernel's default cap.
        var wanted = (int)Math.Max(4096, Math.Pow(2, Math.Ceiling(Math.Log2(Math.Max(1, x.OfferedRate ?? 0)))));
        return new Finding(
            $"raise the server's listen backlog and net.core.somaxconn to {wanted} (the offered {F(x.OfferedRate ?? 0)}/s for a " +
            "second, and at least the kernel's default cap): the backlog is min(listen()'s argument, somaxconn)",
            evidence,
            "no connection dropped at the listen queue; each drop now costs its client a SYN or ACK retransmission, 1 s and then " +
            "doubling (Linux's initial retransmission timeout, RFC 6298 section 2), so the slow tail of connect latency goes with them",
            ProposalCommands.Backlog(wanted, x.Target));
    }

    private static Finding? EcdsaServerKey(ProposalInputs x)
    {
        if (x.Server is not { ProcessCpuMax: { } cpuMax } s || x.ServerCpuBound() is not { } bound) return null;
        if (x.ServerCpuMsPerConnect is not { } perConnect) return null;
        if (x.ServerKey() is not { } key || !key.StartsWith("RSA", StringComparison.Ordinal)) return null;
        var crypto = x.ProfiledModuleShare("libcrypto");
        if (crypto is { } c && c < x.T.LibcryptoShare) return null;
        if (x.SignCost() is not { } cost) return null;
        var signMs = cost.RsaMicros / 1000;
        var share = signMs / perConnect;
        if (share < x.T.SignShareOfConnect) return null;
        // certs --key ecdsa-p256 changes every key: the server signs once cheaper and verifies the client twice dearer.
        var after = Math.Max(perConnect + cost.ServerDeltaMs, 1e-6);
        var evidence = new List<string>
        {
            bound,
            $"server CPU {F(perConnect)} ms per connect ({F(s.ProcessCpuSeconds ?? 0)} CPU-s over {x.Connects:N0} connects)",
            $"the server key is {key} (the run's PKI)",
            cost.Text + $"; the RSA sign is {P(share)} of the server's CPU per connect (>= {P(x.T.SignShareOfConnect)})",
        };
        evidence.Add(crypto is { } share2
            ? $"busiest profiled thread {s.ProfileThreads[0].Name}: {P(share2)} of its samples in libcrypto (>= {P(x.T.LibcryptoShare)})"
            : "no perf profile (monitor --perf): the private-key share rests on the sign cost measured now");
        var resumption = x.Run.Config["tls"] is System.Text.Json.Nodes.JsonObject tls
            && tls["resumption"] is System.Text.Json.Nodes.JsonValue r
            && r.TryGetValue<bool>(out var on) && on
            ? "" : "; or, where the benchmark allows it, session resumption (serve mqtt --resume, burst --resume): a resumed " +
                "handshake signs nothing";
        return new Finding(
            $"give the server an ECDSA P-256 key (connburst certs --key ecdsa-p256){resumption}",
            evidence,
            $"server CPU per connect from {F(perConnect)} ms to about {F(after)} ms, so about {F(perConnect / after)}x the connects per " +
            "second where the server's CPU is the limit (this run's CPU per connect with one RSA sign and two RSA verifies swapped for " +
            "ECDSA ones, as an ECDSA PKI makes a mutual-TLS server do, all measured now); docs/BENCHMARKS.md, \"RSA-2048 against ECDSA" +
                " P-256 on serve mqtt\", has the whole-run figures",
            ProposalCommands.EcdsaPki(x.Target));
    }

    private static Finding? ServerThreads(ProposalInputs x)
    {
        if (x.Server is not { Threads.Count: > 0, ProcessCpuMax: { } cpuMax } s || x.BusiestThreadPeak is not { } thread) return null;
        var cores = Math.Max(s.Cores, x.Run.Machine.Cores);
        var top = s.Threads.MaxBy(t => t.Share);
        if (cores < 2 || top.Share < x.T.SingleThreadShare) return null;
        // The thread at the busy line, or the server CPU-bound on a machine it shares (then its one thread got less than a core).
        var bound = thread >= x.T.ServerCpuBound
            ? $"server process {s.ProcessName} at {F(cpuMax)}% of one core at its busiest: the thread at about {F(thread)}% " +
                $"(>= {F(x.T.ServerCpuBound)}%)"
            : x.ServerCpuBound();
        if (bound is null) return null;
        var idle = x.IdleCores;
        return new Finding(
            "the server does its TLS work on one thread: run more listener threads or processes on the port (SO_REUSEPORT; " +
            $"serve mqtt --workers {cores}), or a server that spreads handshakes over the cores",
            [
                $"busiest server thread {top.Name} (tid {top.Tid}) has {P(top.Share)} of the process's CPU (>= {P(x.T.SingleThreadShare)})",
                bound,
                $"the machine has {cores} cores;" +
                    $" {(idle is { } i ? $"{F(i)} of them idle on average over the recording" : "idle share unknown")}" +
                    " (the rest went to other processes, such as a generator on the same machine)",
            ],
            $"up to {cores}x the connects per second where the one thread's core is the limit, as far as the other cores are free: " +
            $"{(idle is { } i2 ? $"{F(i2)} idle core(s) in this run" : "see the idle figure")} (this run's per-core figures)",
            ProposalCommands.ServerWorkers(cores, x.Target));
    }

    private static Finding? ServerNotReading(ProposalInputs x)
    {
        if (x.Server is not { RecvQSumMax: { } recvQ } s || recvQ < x.T.RecvQBytes || s.NotReading is not ("server" or "both")) return null;
        var cores = Math.Max(s.Cores, x.Run.Machine.Cores);
        return new Finding(
            "the server is not reading what clients sent: its event loops block (on a lock, disk, a slow callback) or there are " +
            $"too few of them; unblock them or run more (serve mqtt --workers {cores})",
            [$"server Recv-Q (sum over connections) max {I(recvQ)} bytes (>= {I(x.T.RecvQBytes)}), sustained over samples " +
                $"(the monitor's reading: {s.NotReading} not reading)"],
            $"requests read as they arrive: the {I(recvQ)} bytes that waited in Recv-Q stop adding to connect latency (this run's queue)",
            ProposalCommands.ServerWorkers(cores, x.Target));
    }

    private static Finding? IndexedCrl(ProposalInputs x)
    {
        if (x.ProfiledFunctionShare("crl") is not { } share || share < x.T.CrlShare) return null;
        var t = x.Server!.ProfileThreads[0];
        var revoked = x.Run.Config["crlRevokedCount"]?.ToString() ?? "unknown";
        return new Finding(
            "look revoked serials up in an index (a hash set of the CRL's serials, built when the CRL loads) instead of walking the CRL",
            [$"busiest profiled thread {t.Name}: {P(share)} of its samples in CRL functions (>= {P(x.T.CrlShare)})",
                $"the run's CRL lists {revoked} revoked serials"],
            $"the busiest thread's {P(share)} in CRL lookups falls to near nothing: an indexed lookup costs the same for any CRL size " +
            "(this run's profile)",
            ProposalCommands.CrlSize(x.Target));
    }

    private static Finding? MemoryPerConnection(ProposalInputs x)
    {
        if (x.Server is not { MemAvailableMinMiB: { } free, MemTotalMiB: { } total } s || total <= 0
            || free >= x.T.MemAvailableShare * total)
        {
            return null;
        }
        var evidence = new List<string> { $"available memory min {F(free)} MiB of {F(total)} MiB (< {P(x.T.MemAvailableShare)})" };
        if (s.RssMiBMax is not { } rss || s.EstablishedMax is not { } conns || conns <= 0)
        {
            return new Finding("give the server machine more memory, or find what else holds it: the server's own size per connection is" +
                " not known " +
                "(the monitor watched no process or port)", evidence, "not estimated: no RSS per connection in this run",
                ProposalCommands.HoldConnections(1000, x.Target));
        }
        var perConnKiB = rss * 1024 / conns;
        var fits = (long)((rss + free) * 1024 / perConnKiB);
        evidence.Add($"server RSS max {F(rss)} MiB with {I(conns)} connections established: {F(perConnKiB)} KiB per connection, " +
            $"{F(1024 * 1024 / perConnKiB)} connections per GiB");
        return new Finding(
            $"size the server for its connections: at {F(perConnKiB)} KiB each, this machine's memory holds about {fits:N0}; shrink " +
            "per-connection buffers (release TLS buffers when idle) or spread the connections over more servers",
            evidence,
            $"about {fits:N0} connections fit in the {F(rss + free)} MiB the server had and could have had (this run's RSS per connection)",
            ProposalCommands.HoldConnections(fits, x.Target));
    }

    private static Finding? MoreAgents(ProposalInputs x)
    {
        // The generator's own evidence, not the side claim: on a shared machine the server can be behind in the same run, and
        // both proposals then stand. Its pacer's lag, attempts short of the offered rate, or its threads waiting for a CPU: a
        // pacer thread that mostly sleeps is woken promptly even when the threads doing the handshakes get a few percent of a
        // core (nice 10 beside four spinning processes here: lag p99 16 ms, every attempt made on time, handshakes late).
        if (x.Generator is not { CpuMsPerAttempt: { } perAttempt } g || x.OfferedRate is not { } rate || rate <= 0) return null;
        var (scheduleSeconds, made) = x.Schedule();
        var evidence = new List<string>();
        if (g.SchedulerLagMs is { } lag && lag.P99 >= x.T.GeneratorLagMs)
            evidence.Add($"generator scheduler lag p99 {F(lag.P99)} ms (>= {F(x.T.GeneratorLagMs)} ms)");
        if (made is { } m && m < x.T.OfferedRateShare * rate)
            evidence.Add($"generator made {F(m)} attempts/s of the {F(rate)}/s offered (< {P(x.T.OfferedRateShare)} of it)");
        var cpu = g.CpuSecondsDuringRun ?? g.CpuSeconds ?? 0;
        if (g.RunQueueWaitSecondsDuringRun is { } wait && wait + cpu > 0 && wait / (wait + cpu) >= x.T.RunQueueShare)
        {
            evidence.Add($"generator threads waited {F(wait)} s for a CPU while running {F(cpu)} s: {P(wait / (wait + cpu))} of their " +
                $"runnable time (>= {P(x.T.RunQueueShare)})");
        }
        if (evidence.Count == 0 || scheduleSeconds <= 0) return null;
        var got = Math.Max(cpu / scheduleSeconds, 0.01);
        var needed = rate * perAttempt / 1000;
        var agents = Math.Max(2, (int)Math.Ceiling(needed / (got * x.T.AgentCpuBudget)));
        evidence.Add($"generator CPU {F(perAttempt)} ms per attempt: the offered {F(rate)}/s needs {F(needed)} core(s); this agent got " +
            $"{F(got)} core(s) while it made its attempts ({F(cpu)} CPU-s over {F(scheduleSeconds)} s)");
        return new Finding(
            $"spread the load over {agents} agents (burst --shard I/{agents} on each, then merge)",
            evidence,
            $"{agents} agents at {P(x.T.AgentCpuBudget)} of what this one got each cover the {F(rate)}/s with the same CPU per attempt " +
            "(this run's figures), so the offered rate is the server's to answer, not the generator's",
            ProposalCommands.Agents(agents, x.Target, rate));
    }

    private static Finding? SourceAddresses(ProposalInputs x)
    {
        var failed = x.Run.Counts.Failed.Where(kv => kv.Key.Contains("no-local-port", StringComparison.Ordinal)).Sum(kv => kv.Value);
        if (failed < x.T.NoLocalPortFailures) return null;
        var range = PortRange();
        return new Finding(
            "give the generator more source addresses (burst --source-ips) or a wider net.ipv4.ip_local_port_range: each " +
            "(source address, target) pair has one port range of connections",
            [$"{failed:N0} attempts failed for want of a local port (no-local-port, >= {F(x.T.NoLocalPortFailures)})",
                $"net.ipv4.ip_local_port_range on this machine: {range ?? "unreadable"}"],
            "every source address adds one port range of concurrent connections (the kernel picks a free local port per address)",
            ProposalCommands.SourceAddresses(x.Target));
    }

    private static string? PortRange()
    {
        try { return File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Trim().Replace('\t', '-'); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static string F(double v) => Verdicts.F(v);
    /// <summary>A count (bytes, connections, a sysctl value) as a person would type it.</summary>
    private static string I(double v) => v.ToString("0", CultureInfo.InvariantCulture);
    private static string P(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
