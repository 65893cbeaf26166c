using System.Globalization;

namespace ConnBurst.Monitor.Perf;

/// <summary>
/// A .NET process's perf map (<c>/tmp/perf-PID.map</c>, written with DOTNET_PerfMapEnabled=1): one JIT-compiled
/// method or stub per line, <c>START SIZE NAME</c> in hex:
/// <code>
/// 0x7f24d0a40000 110 stub InitThreadManagerPerfMapData&lt;JIT_CopiedWriteBarriers&gt;
/// 0x7F18F1525DE4 1A3 [System.Private.CoreLib] System.Threading.SpinWait::SpinOnce(int32)[Optimized]
/// </code>
/// perf reads the file itself only for anonymous memory; with W^X on (.NET's default) JIT code runs from a
/// <c>memfd:doublemapper</c> mapping that perf does not connect to the map, so the monitor looks those addresses up here.
/// </summary>
internal sealed class PerfMap
{
    private readonly ulong[] _starts;
    private readonly ulong[] _ends;
    private readonly string[] _names;

    private PerfMap(List<(ulong Start, ulong End, string Name)> entries)
    {
        entries.Sort((a, b) => a.Start.CompareTo(b.Start));
        _starts = entries.Select(e => e.Start).ToArray();
        _ends = entries.Select(e => e.End).ToArray();
        _names = entries.Select(e => e.Name).ToArray();
    }

    public int Count => _names.Length;

    /// <summary>The map of <paramref name="pid"/>, or null when the process wrote none.</summary>
    public static PerfMap? Load(int pid)
    {
        var path = $"/tmp/perf-{pid}.map";
        try { return File.Exists(path) ? Parse(File.ReadLines(path)) : null; }
        catch (IOException) { return null; }
    }

    public static PerfMap Parse(IEnumerable<string> lines)
    {
        var entries = new List<(ulong, ulong, string)>();
        foreach (var line in lines)
        {
            var first = line.IndexOf(' ');
            var second = first < 0 ? -1 : line.IndexOf(' ', first + 1);
            if (second < 0) continue;
            if (!TryHex(line.AsSpan(0, first), out var start) || !TryHex(line.AsSpan(first + 1, second - first - 1), out var size))
                continue;
            entries.Add((start, start + size, line[(second + 1)..].Trim()));
        }
        return new PerfMap(entries);
    }

    /// <summary>The method whose code holds <paramref name="ip"/>, or null.</summary>
    public string? Find(ulong ip)
    {
        var i = Array.BinarySearch(_starts, ip);
        if (i < 0) i = ~i - 1;
        return i >= 0 && ip < _ends[i] ? _names[i] : null;
    }

    private static bool TryHex(ReadOnlySpan<char> s, out ulong value)
    {
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) s = s[2..];
        return ulong.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}
