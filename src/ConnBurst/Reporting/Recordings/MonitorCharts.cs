using ConnBurst.Reporting.Charts;

namespace ConnBurst.Reporting.Recordings;

/// <summary>The chat benchmark's <c>server_cpu_usage_TIMESTAMP.png</c>: CPU busy % over time per core and in total.</summary>
internal sealed class CpuUsageChart() : RecordingRenderer("png", "server_cpu_usage", "png")
{
    /// <summary>The peak search's limit (the chat benchmark: no core above 85% busy), drawn so a reader sees how close each core
    /// came.</summary>
    public const double BusyLimit = 85;

    protected override void Render(string path, MonitorRecording m)
    {
        var rec = m.Result.Recording;
        var t = rec.Times.ToArray();
        var lines = new List<ChartLine> { new("total", t, rec.Column("cpu.total.busy").ToArray(), Width: 3f) };
        for (var i = 0; i < m.Result.Cores; i++)
            lines.Add(new ChartLine($"cpu{i}", t, rec.Column($"cpu.cpu{i}.busy").ToArray(), Width: 1.2f));
        TimeSeriesChart.SavePng(path, new TimeSeriesChart.Options(
            $"Server CPU busy % per core — {Title(m)}", "seconds since START", "busy % (100 − idle − iowait)")
        {
            YLimits = (0, 105),
            Threshold = BusyLimit,
            ThresholdLabel = $"{BusyLimit:0}% limit",
        }, lines);
    }

    internal static string Title(MonitorRecording m) =>
        (m.Result.Recording.Label.Length > 0 ? $"'{m.Result.Recording.Label}' " : "") +
        m.Result.Recording.StartedAt.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary><c>server_process_TIMESTAMP.png</c>, when a process was watched: its CPU and RSS over time.</summary>
internal sealed class ProcessChart() : RecordingRenderer("processPng", "server_process", "png")
{
    protected override bool AppliesTo(MonitorRecording m) => m.WatchesProcess;

    protected override void Render(string path, MonitorRecording m)
    {
        var rec = m.Result.Recording;
        var s = m.Summary;
        var t = rec.Times.ToArray();
        TimeSeriesChart.SavePng(path, new TimeSeriesChart.Options(
            $"Process {s.Process?.Name} (pid {s.Process?.Pid}) — {CpuUsageChart.Title(m)}", "seconds since START", "CPU % of one core")
        {
            RightYLabel = "RSS MiB",
        },
        [
            new ChartLine("CPU %", t, rec.Column("process.cpuPercent").ToArray(), Width: 2f),
            new ChartLine("RSS MiB (right)", t, rec.Column("process.rssMiB").ToArray(), RightAxis: true, Width: 2f),
        ]);
    }
}
