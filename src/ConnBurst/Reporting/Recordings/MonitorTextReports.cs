using System.Globalization;
using System.Text;
using ConnBurst.Reporting.Tables;

namespace ConnBurst.Reporting.Recordings;

/// <summary>
/// The chat benchmark's <c>server_cpu_results_TIMESTAMP.txt</c>: a header, one row per interval (CPU per core and total,
/// memory, load, and the process and socket columns when watched), then the summary.
/// </summary>
internal sealed class MonitorTextReport() : RecordingRenderer("txt", "server_cpu_results", "txt")
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    protected override void Render(string path, MonitorRecording m)
    {
        var (r, s) = (m.Result, m.Summary);
        var rec = r.Recording;
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"ConnBurst server monitor — recording '{rec.Label}'");
        sb.AppendLine(Inv, $"host {s.Host}, {r.Cores} cores, interval {r.Interval.TotalMilliseconds:0} ms");
        sb.AppendLine(Inv, $"started {s.StartedAt:O}, ended {s.EndedAt:O} ({s.Seconds:0.0} s, {s.Samples} samples), outcome {s.Outcome}");
        if (s.Process is { } p) sb.AppendLine(Inv, $"process {p.Name} (pid {p.Pid})");
        if (r.Port is { } port) sb.AppendLine(Inv, $"sockets on port {port}");
        sb.AppendLine();
        sb.AppendLine("Per-interval samples (CPU columns are busy % = 100 - idle - iowait)");

        var columns = new List<(string Header, string Column, string Format)> { ("t_s", "", "0.00"), ("total%", "cpu.total.busy", "0.0") };
        for (var i = 0; i < r.Cores; i++) columns.Add(($"cpu{i}%", $"cpu.cpu{i}.busy", "0.0"));
        columns.Add(("user%", "cpu.total.user", "0.0"));
        columns.Add(("sys%", "cpu.total.system", "0.0"));
        columns.Add(("iowait%", "cpu.total.iowait", "0.0"));
        columns.Add(("softirq%", "cpu.total.softirq", "0.0"));
        columns.Add(("steal%", "cpu.total.steal", "0.0"));
        columns.Add(("memUsedMiB", "mem.usedMiB", "0"));
        columns.Add(("load1", "load.load1", "0.00"));
        if (s.Process is not null)
        {
            columns.Add(("procCpu%", "process.cpuPercent", "0.0"));
            columns.Add(("rssMiB", "process.rssMiB", "0.0"));
            columns.Add(("fds", "process.fds", "0"));
            columns.Add(("threads", "process.threads", "0"));
        }
        if (r.Port is not null)
        {
            columns.Add(("estab", "sockets.established", "0"));
            columns.Add(("acceptQ", "sockets.acceptQueue", "0"));
            columns.Add(("recvQsum", "sockets.recvQSum", "0"));
            columns.Add(("recvQmax", "sockets.recvQMax", "0"));
            columns.Add(("sendQsum", "sockets.sendQSum", "0"));
            columns.Add(("sendQmax", "sockets.sendQMax", "0"));
        }
        var data = columns.Select(c => c.Column.Length == 0 ? rec.Times.ToArray() : rec.Column(c.Column).ToArray()).ToList();
        var rows = Enumerable.Range(0, rec.Count).Select(row => (IReadOnlyList<Cell>)data
            .Select(d => (Cell)(row < d.Length && !double.IsNaN(d[row]) ? d[row] : (double?)null)).ToList()).ToList();
        TextTable.AppendTo(sb, new Table(columns.Select(c => new Column(c.Header, "", c.Format)).ToList(), rows), "");

        sb.AppendLine();
        sb.AppendLine("Summary");
        sb.AppendLine(Inv,
            $"  CPU total busy: avg {s.Cpu.TotalAvgBusy:0.0}%, max {s.Cpu.TotalMaxBusy:0.0}%   (iowait avg {s.Cpu.AvgIoWait:0.0}%, " +
            $"softirq avg {s.Cpu.AvgSoftIrq:0.0}%, steal avg {s.Cpu.AvgSteal:0.0}%)");
        foreach (var c in s.Cpu.PerCore)
        {
            sb.AppendLine(Inv,
                $"  cpu{c.Core}: busy avg {c.AvgBusy:0.0}%, max {c.MaxBusy:0.0}%  (user {c.AvgUser:0.0}%, system {c.AvgSystem:0.0}%, " +
                $"softirq {c.AvgSoftIrq:0.0}%)");
        }
        sb.AppendLine(Inv,
            $"  busiest core: avg {s.Cpu.MaxCoreAvgBusy:0.0}%, max {s.Cpu.MaxCoreMaxBusy:0.0}%  -> every core <= " +
            $"{CpuUsageChart.BusyLimit:0}% busy: {(s.EveryCoreAtMost(CpuUsageChart.BusyLimit) ? "yes" : "no")}");
        sb.AppendLine(Inv,
            $"  memory: {s.Memory.TotalMiB:0} MiB total, used max {s.Memory.UsedMiBMax:0} MiB, available min " +
            $"{s.Memory.AvailableMiBMin:0} MiB");
        sb.AppendLine(Inv, $"  load1 max {s.Load1Max:0.00}");
        if (s.Process is { } proc)
        {
            sb.AppendLine(Inv,
                $"  process {proc.Name} (pid {proc.Pid}): CPU avg {proc.CpuAvgPercent:0.0}%, max {proc.CpuMaxPercent:0.0}% of one core, " +
                $"{proc.CpuSeconds:0.00} CPU s; RSS max {proc.RssMiBMax:0.0} MiB; fds max {proc.FdsMax:0}; " +
                $"threads max {proc.ThreadsMax:0}");
            sb.AppendLine("  busiest threads:");
            ThreadsTextReport.AppendThreads(sb, r.Threads.Take(10), "    ");
            if (proc.Profile is { } profile) AppendProfile(sb, profile);
        }
        if (s.Sockets is { } so)
        {
            sb.AppendLine(Inv,
                $"  port {so.Port}: established max {so.EstablishedMax:0}; Recv-Q max {so.RecvQMax:0} B (sum max {so.RecvQSumMax:0}); " +
                $"Send-Q max {so.SendQMax:0} B (sum max {so.SendQSumMax:0}); accept queue max {so.AcceptQueueMax:0}; not reading: " +
                $"{so.NotReading}");
        }
        File.WriteAllText(path, sb.ToString());
    }

    /// <summary>--perf's answer: the one line, then each profiled thread's top functions.</summary>
    private static void AppendProfile(StringBuilder sb, ConnBurst.Monitor.Perf.PerfProfile p)
    {
        if (!p.Ok)
        {
            sb.AppendLine(Inv, $"  functions: {p.Note}");
            return;
        }
        sb.AppendLine(Inv,
            $"  functions (perf, {p.Event ?? "-"} at {p.FrequencyHz ?? 0} Hz for {p.Seconds ?? 0:0.#} s, {p.Samples} samples): {p.Note}");
        foreach (var t in p.Threads)
        {
            sb.AppendLine(Inv,
                $"    {t.Name} (tid {t.Tid}): {t.Share * 100:0.0}% of the process's samples; by file: " +
                $"{string.Join(", ", t.Modules.Select(m => string.Create(Inv, $"{m.Module} {m.Share * 100:0.#}%")))}");
            foreach (var f in t.Functions) sb.AppendLine(Inv, $"      {f.Share * 100,5:0.0}%  {f.Symbol}  [{f.Module}]");
        }
    }
}

/// <summary><c>server_threads_TIMESTAMP.txt</c>, when a process was watched: every thread's CPU over the recording, busiest
/// first.</summary>
internal sealed class ThreadsTextReport() : RecordingRenderer("threadsTxt", "server_threads", "txt")
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    protected override bool AppliesTo(MonitorRecording m) => m.WatchesProcess;

    protected override void Render(string path, MonitorRecording m)
    {
        var (r, s) = (m.Result, m.Summary);
        var sb = new StringBuilder();
        sb.AppendLine(Inv,
            $"Busiest threads of {s.Process?.Name} (pid {s.Process?.Pid}) during recording '{r.Recording.Label}' ({s.Seconds:0.0} s, " +
            $"{r.ProcessCpuSeconds:0.00} process CPU s)");
        AppendThreads(sb, r.Threads, "");
        File.WriteAllText(path, sb.ToString());
    }

    internal static void AppendThreads(StringBuilder sb, IEnumerable<ConnBurst.Monitor.Proc.ThreadCpu> threads, string indent)
    {
        sb.AppendLine(Inv, $"{indent}{"tid",8}  {"name",-16}  {"cpu_s",9}  {"share",7}");
        foreach (var t in threads)
        {
            sb.AppendLine(Inv,
                $"{indent}{t.Tid,8}  {t.Name,-16}  {t.CpuSeconds,9:0.00}  {t.Share * 100,6:0.0}%{(t.Alive ? "" : "  (ended)")}");
        }
    }
}
