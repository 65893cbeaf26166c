using ConnBurst.Reporting.Charts;

using ConnBurst.Monitor;

namespace ConnBurst.Reporting.Recordings;

/// <summary>The monitor's two charts: CPU busy % over time per core and in total, and the watched process's CPU and RSS.</summary>
internal static class MonitorCharts
{
    /// <summary>The peak search's limit (the chat benchmark: no core above 85% busy), drawn so a reader sees how close each core came.</summary>
    public const double BusyLimit = 85;

    public static void WriteCpu(string path, RecordingResult r)
    {
        var rec = r.Recording;
        var t = rec.Times.ToArray();
        var lines = new List<ChartLine> { new("total", t, rec.Column("cpu.total.busy").ToArray(), Width: 3f) };
        for (var i = 0; i < r.Cores; i++)
            lines.Add(new ChartLine($"cpu{i}", t, rec.Column($"cpu.cpu{i}.busy").ToArray(), Width: 1.2f));
        TimeSeriesChart.SavePng(path, new TimeSeriesChart.Options(
            $"Server CPU busy % per core — {Title(r)}", "seconds since START", "busy % (100 − idle − iowait)")
        {
            YLimits = (0, 105),
            Threshold = BusyLimit,
            ThresholdLabel = $"{BusyLimit:0}% limit",
        }, lines);
    }

    public static void WriteProcess(string path, RecordingResult r, MonitorSummary s)
    {
        var rec = r.Recording;
        var t = rec.Times.ToArray();
        TimeSeriesChart.SavePng(path, new TimeSeriesChart.Options(
            $"Process {s.Process?.Name} (pid {s.Process?.Pid}) — {Title(r)}", "seconds since START", "CPU % of one core")
        {
            RightYLabel = "RSS MiB",
        },
        [
            new ChartLine("CPU %", t, rec.Column("process.cpuPercent").ToArray(), Width: 2f),
            new ChartLine("RSS MiB (right)", t, rec.Column("process.rssMiB").ToArray(), RightAxis: true, Width: 2f),
        ]);
    }

    private static string Title(RecordingResult r) =>
        (r.Recording.Label.Length > 0 ? $"'{r.Recording.Label}' " : "") + r.Recording.StartedAt.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}
