namespace ConnBurst.Monitor.Perf;

/// <summary>Where the perf binary is and whether this monitor may use it on another process.</summary>
internal static class PerfTool
{
    private const string ParanoidFile = "/proc/sys/kernel/perf_event_paranoid";

    /// <summary>perf on PATH, or null.</summary>
    public static string? Path { get; } = Find();

    /// <summary>Null when perf can be used; else a status (perf-missing, not-permitted) and one line saying why.</summary>
    public static (string Status, string Note)? WhyUnavailable()
    {
        if (Path is null) return ("perf-missing", "perf is not installed (Debian: apt-get install linux-perf): no function-level profile");
        // Sampling another process needs root (CAP_PERFMON) or perf_event_paranoid <= 2 (user-space only at 2).
        if (!Environment.IsPrivilegedProcess && Paranoid() is > 2 and var level)
        {
            return ("not-permitted",
                $"perf is not permitted: kernel.perf_event_paranoid is {level} and the monitor is not root (run it as root, or sysctl " +
                $"kernel.perf_event_paranoid=1)");
        }
        return null;
    }

    /// <summary>perf's own words for a refusal (paranoid level, missing capability, ptrace scope).</summary>
    public static bool LooksNotPermitted(string stderr) =>
        stderr.Contains("perf_event_paranoid", StringComparison.Ordinal)
            || stderr.Contains("Permission denied", StringComparison.OrdinalIgnoreCase) ||
        stderr.Contains("No permission", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("Access to performance monitoring", StringComparison.Ordinal);

    public static int? Paranoid()
    {
        try { return int.TryParse(File.ReadAllText(ParanoidFile).Trim(), out var v) ? v : null; }
        catch (IOException) { return null; }
    }

    private static string? Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(dir, "perf");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
