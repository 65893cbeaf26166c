using System.Text;

namespace ConnBurst.Monitor.Proc;

/// <summary>
/// Bytes and packets per interface from /proc/net/dev, as per-second rates.
/// <code>
/// Inter-|   Receive                                                |  Transmit
///  face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
///     lo:   34113      66    0    0    0     0          0         0    34113      66    0    0    0     0       0          0
///   eth0: 370893313    7820    0    0    0     0          0         0   321718    4351    0    0    0     0       0          0
/// </code>
/// </summary>
internal sealed class NetDevReader : IDisposable
{
    public const int RxBytes = 0, RxPackets = 1, TxBytes = 2, TxPackets = 3, Drops = 4;
    private readonly ProcFile _file;
    private readonly DeviceCounters _counters;
    private bool _primed;

    public NetDevReader(string path = "/proc/net/dev")
    {
        _file = new ProcFile(path);
        var names = new List<string>();
        if (_file.Begin())
        {
            while (_file.TryReadLine(out var line))
                if (Split(line, out var name, out _)) names.Add(Encoding.UTF8.GetString(name));
        }

        _counters = new DeviceCounters(names, 5);
    }

    public IReadOnlyList<string> Interfaces => _counters.Names;

    public bool Sample()
    {
        _counters.BeginSample();
        if (!_file.Begin()) return false;
        while (_file.TryReadLine(out var line))
        {
            if (!Split(line, out var name, out var rest)) continue;
            var i = _counters.IndexOf(name);
            if (i < 0) continue;
            var c = new FieldCursor(rest);
            _counters.Set(i, RxBytes, c.NextLong());
            _counters.Set(i, RxPackets, c.NextLong());
            c.Skip(1);
            var rxDrop = c.NextLong();
            c.Skip(4);
            _counters.Set(i, TxBytes, c.NextLong());
            _counters.Set(i, TxPackets, c.NextLong());
            c.Skip(1);
            _counters.Set(i, Drops, rxDrop + c.NextLong());
        }
        var was = _primed;
        _primed = true;
        return was;
    }

    /// <summary>Per-second rate of <paramref name="column"/> for interface <paramref name="i"/> over <paramref name="seconds"/>.</summary>
    public double Rate(int i, int column, double seconds) => seconds > 0 ? _counters.Delta(i, column) / seconds : 0;

    private static bool Split(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> rest)
    {
        var colon = line.IndexOf((byte)':');
        if (colon < 0 || line.IndexOf((byte)'|') >= 0) { name = rest = default; return false; }
        name = line[..colon].Trim((byte)' ');
        rest = line[(colon + 1)..];
        return name.Length > 0;
    }

    public void Dispose() => _file.Dispose();
}
