
using ConnBurst.Interop;

namespace ConnBurst.Load;

/// <summary>
/// Raises the calling thread's scheduling priority (nice -10) when the process may, so the pacer's 1 ms tick keeps its
/// schedule on a busy machine: its work per tick is tiny, and a late tick is a late attempt. .NET's
/// <see cref="Thread.Priority"/> has no effect on Linux. Without the privilege (CAP_SYS_NICE) nothing changes, and the
/// lag that results is measured and reported like any other.
/// </summary>
internal static class SchedulerThreadPriority
{
    private const int PrioProcess = 0;

    /// <summary>True when the nice value was applied.</summary>
    public static bool TryRaise(int nice = -10)
    {
        try { return LibC.SetPriority(PrioProcess, LibC.GetTid(), nice) == 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }
}
