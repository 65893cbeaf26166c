using System.Text;

namespace ConnBurst.Monitor.Proc;

/// <summary>
/// Reads and writes per whole disk from /proc/diskstats, as per-second rates and a busy percentage.
/// <code>
///  254       0 vda 34721 7261 3136226 33635 10956 10259 11728280 36291 0 17012 70889 4053 67 480904 874 1172 88
///  253       0 zram0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
///    7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
/// </code>
/// After major, minor and name: reads completed, reads merged, sectors read, ms reading, writes completed,
/// writes merged, sectors written, ms writing, I/Os in flight, ms doing I/O, ... Sectors are 512 bytes.
/// Only whole disks (those in /sys/block) other than loop and ram devices are followed, so partitions are not
/// counted twice.
/// </summary>
internal sealed class DiskStatsReader : IDisposable
{
    public const int Reads = 0, SectorsRead = 1, Writes = 2, SectorsWritten = 3, IoMs = 4;
    private readonly ProcFile _file;
    private readonly DeviceCounters _counters;
    private bool _primed;

    public DiskStatsReader(string path = "/proc/diskstats", string sysBlock = "/sys/block")
    {
        _file = new ProcFile(path);
        var names = new List<string>();
        if (_file.Begin())
        {
            while (_file.TryReadLine(out var line))
            {
                var c = new FieldCursor(line);
                c.Skip(2);
                if (!c.Next(out var nameBytes)) continue;
                var name = Encoding.UTF8.GetString(nameBytes);
                if (name.StartsWith("loop", StringComparison.Ordinal) || name.StartsWith("ram", StringComparison.Ordinal)) continue;
                if (Directory.Exists(sysBlock) && !Directory.Exists(System.IO.Path.Combine(sysBlock, name))) continue;
                names.Add(name);
            }
        }

        _counters = new DeviceCounters(names, 5);
    }

    public IReadOnlyList<string> Disks => _counters.Names;

    public bool Sample()
    {
        _counters.BeginSample();
        if (!_file.Begin()) return false;
        while (_file.TryReadLine(out var line))
        {
            var c = new FieldCursor(line);
            c.Skip(2);
            if (!c.Next(out var name)) continue;
            var i = _counters.IndexOf(name);
            if (i < 0) continue;
            _counters.Set(i, Reads, c.NextLong());
            c.Skip(1);
            _counters.Set(i, SectorsRead, c.NextLong());
            c.Skip(1);
            _counters.Set(i, Writes, c.NextLong());
            c.Skip(1);
            _counters.Set(i, SectorsWritten, c.NextLong());
            c.Skip(2);
            _counters.Set(i, IoMs, c.NextLong());
        }
        var was = _primed;
        _primed = true;
        return was;
    }

    public double ReadsPerSecond(int i, double s) => s > 0 ? _counters.Delta(i, Reads) / s : 0;
    public double WritesPerSecond(int i, double s) => s > 0 ? _counters.Delta(i, Writes) / s : 0;
    public double ReadBytesPerSecond(int i, double s) => s > 0 ? _counters.Delta(i, SectorsRead) * 512.0 / s : 0;
    public double WriteBytesPerSecond(int i, double s) => s > 0 ? _counters.Delta(i, SectorsWritten) * 512.0 / s : 0;

    /// <summary>Share of the interval the device had I/O in flight (iostat's %util).</summary>
    public double BusyPercent(int i, double s) => s > 0 ? Math.Min(100, _counters.Delta(i, IoMs) / (s * 10.0)) : 0;

    public void Dispose() => _file.Dispose();
}
