namespace ConnBurst.Monitor.Proc;

/// <summary>The CPU time split that every core and the total report, in percent of the interval.</summary>
internal enum CpuField
{
    User, System, IoWait, Irq, SoftIrq, Steal, Idle,
    /// <summary>100 − idle − iowait: the share of the interval the core was doing work.</summary>
    Busy,
}

/// <summary>
/// CPU ticks per core and in total from /proc/stat, turned into percentages of the interval between two reads.
/// <code>
/// cpu  27252 0 8348 83186 706 0 117 858 0 0
/// cpu0 12980 0 3792 43003 69 0 16 397 0 0
/// cpu1 14271 0 4556 40182 636 0 101 460 0 0
/// intr 1869387 0 9 0 ...
/// </code>
/// Columns: user nice system idle iowait irq softirq steal guest guest_nice (guest time is already inside user).
/// </summary>
internal sealed class CpuStatReader : IDisposable
{
    public const int FieldCount = 8;
    private const int RawColumns = 8; // user nice system idle iowait irq softirq steal
    private readonly ProcFile _file;
    private readonly long[] _now;
    private readonly long[] _before;
    private bool _primed;

    public CpuStatReader(string path = "/proc/stat")
    {
        _file = new ProcFile(path);
        Cores = CountCores();
        _now = new long[(Cores + 1) * RawColumns];
        _before = new long[_now.Length];
    }

    /// <summary>Cores listed at start (online CPUs). A core that goes offline later reads as idle.</summary>
    public int Cores { get; }

    /// <summary>Percentages from the last two reads: row 0 is the total, row 1+i is core i; <see cref="FieldCount"/> per row.</summary>
    public double[] Percent { get; private set; } = [];

    /// <summary>Reads the counters; returns false on the first read (no interval yet) or when /proc/stat is unreadable.</summary>
    public bool Sample()
    {
        if (Percent.Length == 0) Percent = new double[(Cores + 1) * FieldCount];
        Array.Copy(_now, _before, _now.Length);
        Array.Clear(_now);
        if (!_file.Begin()) return false;
        while (_file.TryReadLine(out var line))
        {
            if (line.Length < 4 || !line.StartsWith("cpu"u8)) continue;
            var c = new FieldCursor(line);
            c.Next(out var name);
            int row;
            if (name.Length == 3)
            {
                row = 0;
            }
            else
            {
                var core = (int)FieldCursor.ParseLong(name[3..]);
                if (core < 0 || core >= Cores) continue;
                row = core + 1;
            }
            for (var k = 0; k < RawColumns; k++) _now[row * RawColumns + k] = c.NextLong();
        }
        if (!_primed) { _primed = true; return false; }
        for (var row = 0; row <= Cores; row++) Compute(row);
        return true;
    }

    private void Compute(int row)
    {
        Span<long> d = stackalloc long[RawColumns];
        long total = 0;
        for (var k = 0; k < RawColumns; k++)
        {
            d[k] = Math.Max(0, _now[row * RawColumns + k] - _before[row * RawColumns + k]);
            total += d[k];
        }
        var p = Percent.AsSpan(row * FieldCount, FieldCount);
        if (total == 0) { p.Clear(); p[(int)CpuField.Idle] = 100; return; }
        double Pct(long v) => 100.0 * v / total;
        p[(int)CpuField.User] = Pct(d[0] + d[1]);
        p[(int)CpuField.System] = Pct(d[2]);
        p[(int)CpuField.Idle] = Pct(d[3]);
        p[(int)CpuField.IoWait] = Pct(d[4]);
        p[(int)CpuField.Irq] = Pct(d[5]);
        p[(int)CpuField.SoftIrq] = Pct(d[6]);
        p[(int)CpuField.Steal] = Pct(d[7]);
        p[(int)CpuField.Busy] = Pct(total - d[3] - d[4]);
    }

    private int CountCores()
    {
        var max = -1;
        if (!_file.Begin()) return Environment.ProcessorCount;
        while (_file.TryReadLine(out var line))
        {
            if (line.Length > 3 && line.StartsWith("cpu"u8) && line[3] is >= (byte)'0' and <= (byte)'9')
            {
                var c = new FieldCursor(line);
                c.Next(out var name);
                max = Math.Max(max, (int)FieldCursor.ParseLong(name[3..]));
            }
        }
        return max + 1 > 0 ? max + 1 : Environment.ProcessorCount;
    }

    public void Dispose() => _file.Dispose();
}
