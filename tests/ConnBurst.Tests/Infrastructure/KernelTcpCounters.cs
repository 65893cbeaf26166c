namespace ConnBurst.Tests.Infrastructure;

/// <summary>
/// The kernel's machine-wide TCP counters (/proc/net/netstat, TcpExt) that explain a server-side connection loss:
/// a listen queue that overflowed, and the SYN cookies the kernel falls back to when it does (a failed cookie is
/// answered with a reset). Read before and after a run and put the difference in a failure message, so a CI log
/// says whether the peer's accept queue was the cause. Other processes on the machine count too.
/// </summary>
public sealed class KernelTcpCounters
{
    private static readonly string[] Names =
        ["ListenOverflows", "ListenDrops", "TCPReqQFullDoCookies", "SyncookiesSent", "SyncookiesRecv", "SyncookiesFailed"];

    private readonly Dictionary<string, long> _values;

    private KernelTcpCounters(Dictionary<string, long> values) => _values = values;

    public static KernelTcpCounters Read()
    {
        var values = new Dictionary<string, long>();
        try
        {
            // Pairs of lines: "TcpExt: Name1 Name2 ..." then "TcpExt: 1 2 ...".
            var lines = File.ReadAllLines("/proc/net/netstat");
            for (var i = 0; i + 1 < lines.Length; i += 2)
            {
                if (!lines[i].StartsWith("TcpExt:", StringComparison.Ordinal)) continue;
                var names = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var numbers = lines[i + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                for (var j = 1; j < Math.Min(names.Length, numbers.Length); j++)
                    if (Names.Contains(names[j]) && long.TryParse(numbers[j], out var v)) values[names[j]] = v;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return new KernelTcpCounters(values);
    }

    /// <summary>"kernel TCP (machine-wide) since start: ListenOverflows +12, ..." (only the counters that moved).</summary>
    public string DeltaSince(KernelTcpCounters before)
    {
        var moved = Names
            .Where(n => _values.ContainsKey(n) && before._values.ContainsKey(n) && _values[n] != before._values[n])
            .Select(n => $"{n} +{_values[n] - before._values[n]}");
        var list = string.Join(", ", moved);
        return "kernel TCP counters (machine-wide) during the run: " + (list.Length == 0 ? "none moved" : list);
    }
}
