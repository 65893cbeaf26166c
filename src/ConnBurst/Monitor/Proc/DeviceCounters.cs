using System.Text;

namespace ConnBurst.Monitor.Proc;

/// <summary>
/// Cumulative counters for a fixed set of named devices (interfaces, disks), kept as "now" and "before" so a
/// reader can turn them into per-second rates. Devices are found once at start; one that appears later is
/// not followed (its name would need a new series mid-recording).
/// </summary>
internal sealed class DeviceCounters
{
    private readonly byte[][] _nameBytes;
    private readonly long[] _now;
    private readonly long[] _before;
    private int _hint;

    public DeviceCounters(IReadOnlyList<string> names, int columns)
    {
        Names = names;
        Columns = columns;
        _nameBytes = names.Select(n => Encoding.UTF8.GetBytes(n)).ToArray();
        _now = new long[names.Count * columns];
        _before = new long[_now.Length];
    }

    public IReadOnlyList<string> Names { get; }
    public int Columns { get; }

    public void BeginSample()
    {
        Array.Copy(_now, _before, _now.Length);
    }

    /// <summary>The device index for a name as read from the file, or -1. Files list devices in a stable order, so the next index is tried
    /// first.</summary>
    public int IndexOf(ReadOnlySpan<byte> name)
    {
        if (_nameBytes.Length == 0) return -1;
        var guess = _hint % _nameBytes.Length;
        if (name.SequenceEqual(_nameBytes[guess])) { _hint = guess + 1; return guess; }
        for (var i = 0; i < _nameBytes.Length; i++)
            if (name.SequenceEqual(_nameBytes[i])) { _hint = i + 1; return i; }
        return -1;
    }

    public void Set(int device, int column, long value) => _now[device * Columns + column] = value;

    /// <summary>The increase since the previous sample (0 if the counter went backwards, e.g. a device reset).</summary>
    public long Delta(int device, int column) => Math.Max(0, _now[device * Columns + column] - _before[device * Columns + column]);
}
