using System.Globalization;
using ConnBurst.Reporting.Sections;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Analysis;

/// <summary>
/// Names the bottleneck of a load run from its results and the monitor's summary (seed: "which side is the
/// bottleneck", "CPU, disk, network, memory?", "which threads are busiest"). Pure: figures in, claims out.
/// Thresholds are stated in <see cref="Thresholds"/> and quoted in the evidence.
/// </summary>
internal static class BottleneckAnalyzer
{
    public sealed record Thresholds(
        double BusyCore = 85,            // a core this busy (percent) is saturated: the MQTT benchmark's SLO line
        double BusyMachine = 85,         // whole-machine busy percent that counts as saturated
        double QueueBytes = 16 * 1024,   // socket queue bytes (sum over connections) that mean a side is not keeping up
        double AcceptQueue = 10,         // connections waiting to be accepted in one sample: one or two is a busy moment
        double LagMs = 50,               // generator scheduler lag (p99) that means the generator fell behind
        double MemAvailableShare = 0.05, // less free memory than this share of the machine is pressure
        double IoWait = 20,              // average iowait percent that points at the disk
        double FdShare = 0.9);

    /// <summary>
    /// The claims and the proposals of a run, or of one part of it (a peak step, a stage): <paramref name="server"/> is the
    /// monitor's figures over the same time. <paramref name="proposals"/> overrides the proposal thresholds and the outside facts
    /// (<see cref="Proposals.For"/>).
    /// </summary>
    public static BottleneckAnalysis Analyze(ResultsDocument run, ServerFigures? server, Thresholds? t = null,
        Func<BottleneckAnalysis, IReadOnlyList<Proposal>>? proposals = null)
    {
        t ??= new Thresholds();
        var gen = run.GeneratorSection();
        var claims = new BottleneckAnalysis(Side(run, gen, server, t), Resource(run, gen, server, t), Threads(server), Functions(server));
        return claims with { Proposals = proposals?.Invoke(claims) ?? Proposals.For(run, server, claims) };
    }

    /// <summary>The generator's CPU as percent of one core over the run (the run's CPU seconds / its duration).</summary>
    public static double? GeneratorCpuPercent(ResultsDocument run, GeneratorSection? gen)
    {
        var seconds = (run.EndedAt - run.StartedAt).TotalSeconds;
        return (gen?.CpuSecondsDuringRun ?? gen?.CpuSeconds) is { } cpu && seconds > 0 ? 100 * cpu / seconds : null;
    }

    private static Claim Side(ResultsDocument run, GeneratorSection? gen, ServerFigures? ms, Thresholds t)
    {
        var server = new List<string>();
        var generator = new List<string>();
        var calm = new List<string>();
        if (ms is not null)
        {
            Note(ms.RecvQSumMax, t.QueueBytes, server, calm, "server Recv-Q (sum over connections) max {0} bytes",
                "the server is not reading what clients sent");
            Note(ms.AcceptQueueMax, t.AcceptQueue, server, calm, "server accept queue max {0}",
                "connections waited for the server to accept them");
            Note(ms.SendQSumMax, t.QueueBytes, generator, calm, "server Send-Q (sum) max {0} bytes",
                "the clients are not reading what the server sent");
            var core = $"busiest server core cpu{ms.BusiestCore} at {F(ms.MaxCoreBusy)}% busy";
            // The monitor's cores are the machine's: with the generator on the same machine a hot core may be its work.
            // A server process that never used BusyCore% of one core (all its threads together) cannot have made a
            // core that busy by itself, so then the hot core is not evidence against the server.
            if (ms.MaxCoreBusy < t.BusyCore) calm.Add($"{core} (< {F(t.BusyCore)}%)");
            else if (ms.ProcessCpuMax is { } own && own < t.BusyCore)
                calm.Add($"{core}, but the server process itself used at most {F(own)}% of one core: that core was busy with other work");
            else server.Add($"{core} (>= {F(t.BusyCore)}%)");
            if (ms.ProcessCpuAvg is { } pc) calm.Add($"server process {ms.ProcessName} CPU avg {F(pc)}% of one core");
        }
        if (gen is not null)
        {
            Note(gen.RecvQMax, t.QueueBytes, generator, calm, "generator Recv-Q max {0} bytes",
                "the generator is not reading what the server sent");
            Note(gen.SendQMax, t.QueueBytes, server, calm, "generator Send-Q max {0} bytes",
                "the server is not taking what the generator sends");
            if (gen.SchedulerLagMs is { } lag)
            {
                var text = $"generator scheduler lag p99 {F(lag.P99)} ms, max {F(Math.Max(lag.Max, gen.MaxTickLagMs ?? 0))} ms";
                if (lag.P99 >= t.LagMs || gen.FellBehind == true)
                {
                    generator.Add(
                        $"{text}{(gen.BehindIntervals is { } b ? $", behind schedule in {b} interval(s)" : "")}: attempts left late");
                }
                else
                {
                    calm.Add($"{text} (< {F(t.LagMs)} ms)");
                }
            }
            var cores = run.Machine.Cores;
            if (GeneratorCpuPercent(run, gen) is { } pc)
            {
                var text =
                    $"generator CPU avg {F(pc)}% of one core ({F(gen.CpuSecondsDuringRun ?? gen.CpuSeconds ?? 0)} " +
                    $"CPU-s{(gen.CpuMsPerAttempt is { } per ? $", {F(per)} ms per attempt" : "")})";
                if (cores > 0 && pc >= t.BusyMachine * cores) generator.Add($"{text}: it used the whole machine ({cores} cores)");
                else calm.Add(text);
            }
        }
        if (ms is null && gen is null)
        {
            return new Claim("side", "undetermined",
                "cannot tell which side limits the run: the results carry neither monitor nor generator figures", []);
        }
        if (server.Count > 0 && generator.Count == 0)
            return new Claim("side", "server", "the server is the bottleneck", [.. server, .. calm]);
        if (generator.Count > 0 && server.Count == 0)
            return new Claim("side", "generator", "the load generator is the bottleneck", [.. generator, .. calm]);
        if (server.Count > 0)
        {
            // Both strained: the queues say who is not reading, so they outrank CPU and lag.
            static int Queues(List<string> xs) => xs.Count(e => e.Contains("-Q", StringComparison.Ordinal)
                || e.Contains("queue", StringComparison.Ordinal));
            var side = Queues(server) > Queues(generator) ? "server" : Queues(generator) > Queues(server) ? "generator" : "undetermined";
            var text = side == "undetermined"
                ? "both sides show strain and the socket queues do not say which one is behind"
                : $"both sides show strain; the socket queues point at the {side}";
            return new Claim("side", side, text, [.. server.Select(e => "server side: " + e),
                .. generator.Select(e => "generator side: " + e), .. calm]);
        }
        return new Claim("side", "undetermined", "neither side shows strain: no socket queue built up, no core saturated, no scheduler lag",
            calm);
    }

    private static Claim Resource(ResultsDocument run, GeneratorSection? gen, ServerFigures? ms, Thresholds t)
    {
        var fdFailures = run.Counts.Failed.Where(kv => kv.Key.Contains("fd", StringComparison.OrdinalIgnoreCase)
            || kv.Key.Contains("emfile", StringComparison.OrdinalIgnoreCase)).Sum(kv => kv.Value);
        if (fdFailures > 0)
        {
            return new Claim("resource", "fd-limit", "file descriptors ran out",
                [$"{fdFailures} attempts failed for lack of file descriptors"]);
        }
        if (ms is null) return new Claim("resource", "undetermined", "cannot tell which resource limits the server: no monitor data", []);
        if (ms.FdsMax is { } f && run.Machine.FdLimit > 0 && f >= t.FdShare * run.Machine.FdLimit)
        {
            return new Claim("resource", "fd-limit", "the server is at its file-descriptor limit",
                [$"server fds max {f} of limit {run.Machine.FdLimit}"]);
        }
        var cpu =
            $"server CPU: whole machine max {F(ms.TotalMaxBusy)}% busy, avg {F(ms.TotalAvgBusy)}%; busiest core cpu{ms.BusiestCore} max " +
            $"{F(ms.MaxCoreBusy)}% ({ms.Samples} samples)";
        if (ms.TotalMaxBusy >= t.BusyMachine)
            return new Claim("resource", "cpu-machine", "CPU: the whole server machine is saturated", [cpu]);
        if (ms.MaxCoreBusy >= t.BusyCore)
        {
            return new Claim("resource", "cpu-core", $"CPU: one hot core (cpu{ms.BusiestCore}) saturates while the machine has room",
                [cpu, "per-core max: " + string.Join(", ", ms.PerCoreMax.Select((v, i) => $"cpu{i} {F(v)}%"))]);
        }

        if (ms.MemAvailableMinMiB is { } mem && ms.MemTotalMiB is { } total && total > 0 && mem < t.MemAvailableShare * total)
        {
            return new Claim("resource", "memory", "memory: the server machine ran short",
                [$"available memory min {F(mem)} MiB of {F(total)} MiB"]);
        }
        if (ms.IoWaitAvg is { } io && io >= t.IoWait)
        {
            return new Claim("resource", "disk", "disk: the CPUs spent their time waiting on I/O",
                [$"average iowait {F(io)}% (>= {F(t.IoWait)}%)"]);
        }
        var evidence = new List<string> { cpu };
        if (ms.MemAvailableMinMiB is { } m2)
            evidence.Add($"available memory min {F(m2)} MiB{(ms.MemTotalMiB is { } mt ? $" of {F(mt)} MiB" : "")}");
        if (ms.IoWaitAvg is { } io2) evidence.Add($"average iowait {F(io2)}%");
        evidence.Add("network is not judged: on loopback or with an unknown link speed, bytes per second say nothing about saturation");
        return new Claim("resource", "none", "no server resource saturated", evidence);
    }

    private static Claim Threads(ServerFigures? server)
    {
        if (server is null || server.Threads.Count == 0)
            return new Claim("threads", "undetermined", "cannot name the busiest server threads: no per-thread figures", []);
        var top = server.Threads.OrderByDescending(x => x.Share).Take(3).ToList();
        var first = top[0];
        return new Claim("threads", first.Name,
            $"busiest server thread: {first.Name} (tid {first.Tid}) with {F(first.Share * 100)}% of the process's CPU",
            top.Select(x => $"{x.Name} (tid {x.Tid}): {F(x.Share * 100)}% of the process's CPU").ToList());
    }

    /// <summary>The seed's "perf top -t TID": the busiest profiled threads' top functions, as the monitor summarised them.</summary>
    private static Claim? Functions(ServerFigures? server)
    {
        if (server?.ProfileNote is not { } note) return null;
        if (server.ProfileThreads.Count == 0) return new Claim("functions", server.ProfileStatus ?? "undetermined", note, []);
        // The conclusion a script matches is a real name: perf's "[unknown]" (code outside every exported symbol) is not one.
        var top = server.ProfileThreads[0].Functions.Select(f => f.Symbol).FirstOrDefault(s => s != "[unknown]") ?? "undetermined";
        return new Claim("functions", top, note,
            server.ProfileThreads.Take(3).Select(t => $"{t.Name} (tid {t.Tid}, {F(t.Share * 100)}% of the process's perf samples): " +
                string.Join(", ", t.Functions.Take(5).Select(f => $"{F(f.Share * 100)}% {f.Symbol} in {f.Module}")) +
                (t.Modules.Count == 0 ? "" : "; by file: " + string.Join(", ", t.Modules.Select(m => $"{m.Module} {F(m.Share * 100)}%"))))
                .ToList());
    }

    private static void Note(double? value, double threshold, List<string> strained, List<string> calm, string figureFormat, string meaning)
    {
        if (value is not { } v) return;
        var figure = string.Format(CultureInfo.InvariantCulture, figureFormat, v);
        if (v >= threshold) strained.Add($"{figure} (>= {threshold}): {meaning}");
        else calm.Add($"{figure} (< {threshold})");
    }

    private static string F(double v) => Verdicts.F(v);
}
