namespace ConnBurst.Monitor;

/// <summary>Computes a recording's <see cref="MonitorSummary"/> once, from its series; every output reads this.</summary>
internal static class SummaryBuilder
{
    public static MonitorSummary Build(RecordingResult r)
    {
        var rec = r.Recording;
        var s = new MonitorSummary
        {
            Label = rec.Label,
            Host = Environment.MachineName,
            Outcome = r.Outcome,
            StartedAt = rec.StartedAt,
            EndedAt = r.EndedAt,
            Seconds = Round((r.EndedAt - rec.StartedAt).TotalSeconds),
            Samples = rec.Count,
            IntervalMs = r.Interval.TotalMilliseconds,
        };
        s.Cpu.Cores = r.Cores;
        s.Cpu.TotalAvgBusy = Round(Avg(rec.Column("cpu.total.busy")));
        s.Cpu.TotalMaxBusy = Round(Max(rec.Column("cpu.total.busy")));
        s.Cpu.AvgIoWait = Round(Avg(rec.Column("cpu.total.iowait")));
        s.Cpu.AvgSoftIrq = Round(Avg(rec.Column("cpu.total.softirq")));
        s.Cpu.AvgSteal = Round(Avg(rec.Column("cpu.total.steal")));
        for (var i = 0; i < r.Cores; i++)
        {
            var busy = rec.Column($"cpu.cpu{i}.busy");
            var steal = rec.Column($"cpu.cpu{i}.steal");
            s.Cpu.PerCore.Add(new CoreSummary
            {
                Core = i,
                AvgBusy = Round(Avg(busy)),
                MaxBusy = Round(Max(busy)),
                AvgUser = Round(Avg(rec.Column($"cpu.cpu{i}.user"))),
                AvgSystem = Round(Avg(rec.Column($"cpu.cpu{i}.system"))),
                AvgSoftIrq = Round(Avg(rec.Column($"cpu.cpu{i}.softirq"))),
                AvgSteal = Round(Avg(steal)),
                MaxSteal = Round(Max(steal)),
            });
        }
        s.Cpu.MaxCoreAvgBusy = s.Cpu.PerCore.Count > 0 ? s.Cpu.PerCore.Max(c => c.AvgBusy) : 0;
        s.Cpu.MaxCoreMaxBusy = s.Cpu.PerCore.Count > 0 ? s.Cpu.PerCore.Max(c => c.MaxBusy) : 0;
        s.Cpu.MaxCoreMaxSteal = s.Cpu.PerCore.Count > 0 ? s.Cpu.PerCore.Max(c => c.MaxSteal) : 0;
        s.Memory.TotalMiB = Round(Max(rec.Column("mem.totalMiB")));
        s.Memory.UsedMiBMax = Round(Max(rec.Column("mem.usedMiB")));
        s.Memory.AvailableMiBMin = Round(Min(rec.Column("mem.availableMiB")));
        s.Load1Max = Round(Max(rec.Column("load.load1")));

        if (r.ProcessName is not null || r.ProcessPid is not null)
        {
            s.Process = new ProcessSummary
            {
                Pid = r.ProcessPid ?? 0,
                Name = r.ProcessName ?? "",
                CpuAvgPercent = Round(Avg(rec.Column("process.cpuPercent"))),
                CpuMaxPercent = Round(Max(rec.Column("process.cpuPercent"))),
                CpuSeconds = Round(r.ProcessCpuSeconds),
                RssMiBMax = Round(Max(rec.Column("process.rssMiB"))),
                FdsMax = Max(rec.Column("process.fds")),
                ThreadsMax = Max(rec.Column("process.threads")),
                BusiestThreads = r.Threads.Take(10).Select(t => new ThreadSummary
                {
                    Tid = t.Tid, Name = t.Name, CpuSeconds = Round(t.CpuSeconds), Share = Math.Round(t.Share, 4),
                }).ToList(),
                Profile = r.Perf,
            };
        }

        if (r.Port is { } port)
        {
            s.Sockets = new SocketSummary
            {
                Port = port,
                EstablishedMax = Max(rec.Column("sockets.established")),
                RecvQMax = Max(rec.Column("sockets.recvQMax")),
                RecvQSumMax = Max(rec.Column("sockets.recvQSum")),
                SendQMax = Max(rec.Column("sockets.sendQMax")),
                SendQSumMax = Max(rec.Column("sockets.sendQSum")),
                AcceptQueueMax = Max(rec.Column("sockets.acceptQueue")),
                ListenBacklog = Max(rec.Column("sockets.listenBacklog")),
            };
            s.Sockets.NotReading = NotReading(rec);
        }
        s.KernelTcp = new KernelTcpSummary
        {
            ListenOverflows = Sum(rec.Column("tcp.listenOverflows")),
            ListenDrops = Sum(rec.Column("tcp.listenDrops")),
            ReqQFullDrops = Sum(rec.Column("tcp.reqQFullDrops")),
            Somaxconn = SysctlNumber("/proc/sys/net/core/somaxconn"),
            TcpMaxSynBacklog = SysctlNumber("/proc/sys/net/ipv4/tcp_max_syn_backlog"),
        };
        return s;
    }

    private static double? SysctlNumber(string path)
    {
        try { return double.TryParse(File.ReadAllText(path).Trim(), System.Globalization.CultureInfo.InvariantCulture,
            out var v) ? v : null; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// Which side let data pile up. Recv-Q on the server's sockets (or connections left in the accept queue)
    /// means the server did not read; Send-Q on them means the peers did not. A queue counts only if it
    /// stayed up for at least two samples in a row, so one burst the reader caught up with is not blamed.
    /// </summary>
    private static string NotReading(Recording rec)
    {
        var server = Sustained(rec.Column("sockets.recvQSum")) || Sustained(rec.Column("sockets.acceptQueue"));
        var peer = Sustained(rec.Column("sockets.sendQSum"));
        return (server, peer) switch { (true, true) => "both", (true, false) => "server", (false, true) => "peer", _ => "none" };
    }

    /// <summary>Above zero in two consecutive measured samples (NaN: not sampled that interval, skipped).</summary>
    private static bool Sustained(ReadOnlySpan<double> series)
    {
        var previousUp = false;
        foreach (var x in series)
        {
            if (double.IsNaN(x)) continue;
            if (x > 0 && previousUp) return true;
            previousUp = x > 0;
        }
        return false;
    }

    public static double Avg(ReadOnlySpan<double> xs)
    {
        double sum = 0;
        var n = 0;
        foreach (var x in xs) if (!double.IsNaN(x)) { sum += x; n++; }
        return n == 0 ? 0 : sum / n;
    }

    public static double Sum(ReadOnlySpan<double> xs)
    {
        double sum = 0;
        foreach (var x in xs) if (!double.IsNaN(x)) sum += x;
        return sum;
    }

    public static double Max(ReadOnlySpan<double> xs)
    {
        var m = double.NaN;
        foreach (var x in xs) if (!double.IsNaN(x) && (double.IsNaN(m) || x > m)) m = x;
        return double.IsNaN(m) ? 0 : m;
    }

    public static double Min(ReadOnlySpan<double> xs)
    {
        var m = double.NaN;
        foreach (var x in xs) if (!double.IsNaN(x) && (double.IsNaN(m) || x < m)) m = x;
        return double.IsNaN(m) ? 0 : m;
    }

    public static double Round(double x) => Math.Round(x, 3);
}
