namespace ConnBurst.Load;

/// <summary>
/// Seconds this process's threads have spent runnable but waiting for a CPU: the second field of each
/// /proc/self/task/TID/schedstat (nanoseconds on a run queue), summed. The direct measure of a generator starved of CPU: its
/// pacer's lag misses it when the pacer, mostly asleep, is woken promptly while the threads doing the handshakes wait. A
/// thread that ends between two readings takes its figure with it, so a difference is a lower bound.
/// </summary>
internal static class RunQueueWait
{
    public static double? Seconds()
    {
        try
        {
            double total = 0;
            var any = false;
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    var fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                    if (fields.Length < 2 || !long.TryParse(fields[1], out var ns)) continue;
                    total += ns / 1e9;
                    any = true;
                }
                catch (IOException) { } // the thread ended while we walked
            }
            return any ? total : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
