namespace ConnBurst.Monitor.Perf;

/// <summary>
/// Counts samples per thread and function from <c>perf script -F tid,ip,sym,dso</c> (perf prints no symbol without
/// the address), one sample per line:
/// <code>
///   30567 ffffffff82247b01 __siphash_unaligned ([kernel.kallsyms])
///   30567     7f18f14ee752 ASN1_item_verify_ctx (/usr/lib/x86_64-linux-gnu/libcrypto.so.3)
///   30567     7f18f1525de4 [unknown] (/usr/lib/x86_64-linux-gnu/libcrypto.so.3)
/// 31207     7f1882a1c0d3 instance bool [System.Private.CoreLib] System.Threading.SpinWait::SpinOnce(int32)[Optimized]
/// (/tmp/perf-31200.map)
/// </code>
/// The file is the last parenthesised group (managed symbols carry parentheses of their own). JIT-compiled code,
/// named by perf from the map file or by <see cref="PerfMap"/> from the address, is called "managed (perf map)".
/// </summary>
internal static class PerfScriptParser
{
    public const string ManagedModule = "managed (perf map)";

    /// <summary>Samples by thread, then by (symbol, module); unnamed JIT code is looked up in <paramref name="map"/>.</summary>
    public static Dictionary<int, Dictionary<(string Symbol, string Module), long>> Count(IEnumerable<string> lines, PerfMap? map = null)
    {
        var byThread = new Dictionary<int, Dictionary<(string, string), long>>();
        foreach (var raw in lines)
        {
            if (!TryParse(raw, out var tid, out var ip, out var symbol, out var module)) continue;
            if (map is not null && symbol == "[unknown]" && module != ManagedModule && map.Find(ip) is { } managed)
            {
                symbol = managed;
                module = ManagedModule;
            }
            if (!byThread.TryGetValue(tid, out var functions)) byThread[tid] = functions = new();
            functions[(symbol, module)] = functions.GetValueOrDefault((symbol, module)) + 1;
        }
        return byThread;
    }

    public static bool TryParse(string raw, out int tid, out ulong ip, out string symbol, out string module)
    {
        tid = 0;
        ip = 0;
        symbol = module = "";
        var line = raw.AsSpan().Trim();
        var space = line.IndexOf(' ');
        if (space <= 0 || !int.TryParse(line[..space], System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out tid))
        {
            return false;
        }
        var rest = line[(space + 1)..].TrimStart();
        var afterIp = rest.IndexOf(' ');
        if (afterIp <= 0 || !ulong.TryParse(rest[..afterIp], System.Globalization.NumberStyles.AllowHexSpecifier,
            System.Globalization.CultureInfo.InvariantCulture, out ip))
        {
            return false;
        }
        rest = rest[(afterIp + 1)..].Trim();
        if (rest.IsEmpty) return false;
        var open = DsoOpen(rest);
        if (open < 0) return false;
        symbol = rest[..open].Trim().ToString();
        var dso = rest[(open + 2)..^1].ToString();
        module = IsPerfMap(dso) ? ManagedModule : Path.GetFileName(dso) is { Length: > 0 } f ? f : dso;
        if (symbol.Length == 0) symbol = "[unknown]";
        return true;
    }

    /// <summary>
    /// Where the file's parenthesis opens: the one matching the line's last ')' (the file can hold parentheses of its
    /// own, as in <c>(/memfd:doublemapper (deleted))</c>), preceded by a space; -1 when the line has no file.
    /// </summary>
    private static int DsoOpen(ReadOnlySpan<char> rest)
    {
        if (rest.IsEmpty || rest[^1] != ')') return -1;
        var depth = 0;
        for (var i = rest.Length - 1; i >= 0; i--)
        {
            if (rest[i] == ')') depth++;
            else if (rest[i] == '(' && --depth == 0) return i > 0 && rest[i - 1] == ' ' ? i - 1 : -1;
        }
        return -1;
    }

    private static bool IsPerfMap(string dso) =>
        dso.StartsWith("/tmp/perf-", StringComparison.Ordinal) && dso.EndsWith(".map", StringComparison.Ordinal);
}
