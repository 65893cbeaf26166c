namespace ConnBurst.Monitor.Proc;

/// <summary>
/// Memory from /proc/meminfo, in MiB.
/// <code>
/// MemTotal:       24684092 kB
/// MemFree:        20275536 kB
/// MemAvailable:   23416640 kB
/// Buffers:            7320 kB
/// Cached:          3540848 kB
/// SwapCached:            0 kB
/// ...
/// SwapTotal:             0 kB
/// SwapFree:              0 kB
/// </code>
/// Used is MemTotal − MemAvailable (what `free` calls used plus what cannot be reclaimed), the figure that
/// says whether the machine is running out of memory.
/// </summary>
internal sealed class MemInfoReader(string path = "/proc/meminfo") : IDisposable
{
    private readonly ProcFile _file = new(path);

    public double TotalMiB { get; private set; }
    public double AvailableMiB { get; private set; }
    public double UsedMiB => TotalMiB - AvailableMiB;
    public double CachedMiB { get; private set; }
    public double SwapUsedMiB { get; private set; }

    public bool Sample()
    {
        if (!_file.Begin()) return false;
        long total = 0, available = 0, buffers = 0, cached = 0, swapTotal = 0, swapFree = 0;
        while (_file.TryReadLine(out var line))
        {
            var c = new FieldCursor(line);
            if (!c.Next(out var key)) continue;
            var kb = c.NextLong();
            if (key.SequenceEqual("MemTotal:"u8)) total = kb;
            else if (key.SequenceEqual("MemAvailable:"u8)) available = kb;
            else if (key.SequenceEqual("Buffers:"u8)) buffers = kb;
            else if (key.SequenceEqual("Cached:"u8)) cached = kb;
            else if (key.SequenceEqual("SwapTotal:"u8)) swapTotal = kb;
            else if (key.SequenceEqual("SwapFree:"u8)) swapFree = kb;
        }
        TotalMiB = total / 1024.0;
        AvailableMiB = available / 1024.0;
        CachedMiB = (buffers + cached) / 1024.0;
        SwapUsedMiB = (swapTotal - swapFree) / 1024.0;
        return total > 0;
    }

    public void Dispose() => _file.Dispose();
}
