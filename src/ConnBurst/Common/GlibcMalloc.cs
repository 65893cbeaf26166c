
using ConnBurst.Interop;

namespace ConnBurst.Common;

/// <summary>
/// glibc's allocator, tuned for processes that hold many TLS connections. Every handshake allocates tens of KB in
/// libssl and frees most of it, and the part it keeps (session, peer certificate) lands between freed blocks; with
/// glibc's default of one arena per thread-pool thread that fragmentation stays resident. Measured with
/// bench/loadgen.sh (3,000 idle clients): 53 KiB of RSS per client with default arenas, 31 KiB with two.
/// Not glibc (musl, another OS): both calls do nothing.
/// </summary>
internal static class GlibcMalloc
{
    private const int ArenaMax = -8; // M_ARENA_MAX in malloc.h


    private static int _limited;

    /// <summary>Caps the arenas glibc creates from now on (threads that already have one keep it). Call early, once.</summary>
    public static void LimitArenas(int arenas = 2)
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _limited, 1) == 1) return;
        try { LibC.MallOpt(ArenaMax, arenas); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    /// <summary>Returns free pages inside the arenas to the kernel (after a connect wave has settled).</summary>
    public static void Trim()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { LibC.MallocTrim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }
}
