namespace ConnBurst.Monitor.Proc;

/// <summary>
/// Finds a process by name the way `ps -C NAME` does: its comm (/proc/PID/comm, at most 15 characters) or the
/// file name of its argv[0]. Scanning /proc allocates, so it runs at start and when the watched process is gone.
/// </summary>
internal static class ProcessLocator
{
    /// <summary>Every matching pid, oldest (lowest start time) first; the monitor's own process is never listed.</summary>
    public static IReadOnlyList<int> Find(string name)
    {
        var self = Environment.ProcessId;
        var comm15 = name.Length > 15 ? name[..15] : name;
        var found = new List<(int pid, long start)>();
        foreach (var dir in SafeEnumerate("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == self) continue;
            var comm = ReadText(Path.Combine(dir, "comm"))?.TrimEnd('\n');
            var match = comm == comm15 || comm == name;
            if (!match)
            {
                var cmdline = ReadText(Path.Combine(dir, "cmdline"));
                if (!string.IsNullOrEmpty(cmdline))
                {
                    var argv0 = cmdline.Split('\0')[0];
                    match = Path.GetFileName(argv0) == name;
                }
            }
            if (match) found.Add((pid, StartTime(dir)));
        }
        return found.OrderBy(f => f.start).ThenBy(f => f.pid).Select(f => f.pid).ToList();
    }

    public static bool Exists(int pid) => Directory.Exists($"/proc/{pid}");

    private static long StartTime(string dir)
    {
        var stat = ReadText(Path.Combine(dir, "stat"));
        if (stat is null) return long.MaxValue;
        var close = stat.LastIndexOf(')');
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 19 && long.TryParse(fields[19], out var t) ? t : long.MaxValue; // starttime(22)
    }

    private static IEnumerable<string> SafeEnumerate(string path)
    {
        try { return Directory.GetDirectories(path); }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
    }

    private static string? ReadText(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
