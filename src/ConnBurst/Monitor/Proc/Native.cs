
using ConnBurst.Interop;

namespace ConnBurst.Monitor.Proc;

/// <summary>
/// The few libc calls the /proc readers need. Raw descriptors (not SafeFileHandle/FileStream) let a reader
/// open, pread and close a file with a path it encoded once, so a steady-state sample allocates nothing.
/// </summary>
internal static class Native
{
    private const int O_RDONLY = 0;
    private const int O_DIRECTORY = 0x10000;
    private const int O_CLOEXEC = 0x80000;
    private const int SC_CLK_TCK = 2;

    internal static int Close(int fd) => LibC.Close(fd);

    /// <summary>Opens a NUL-terminated path read-only; -1 when it does not exist (a process or thread that ended).</summary>
    internal static unsafe int Open(byte[] nulTerminatedPath, bool directory = false)
    {
        fixed (byte* p = nulTerminatedPath) return LibC.Open(p, O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
    }

    /// <summary>Reads at an offset; -1 on error (ESRCH once the process is gone).</summary>
    internal static unsafe int Pread(int fd, Span<byte> buffer, long offset)
    {
        fixed (byte* p = buffer) return (int)LibC.Pread(fd, p, (nuint)buffer.Length, offset);
    }

    internal static bool Rewind(int fd) => LibC.Lseek(fd, 0, 0) == 0;

    internal static unsafe int GetDents64(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer) return (int)LibC.GetDents64(fd, p, (nuint)buffer.Length);
    }

    private const int CLOCK_THREAD_CPUTIME_ID = 3;

    /// <summary>
    /// CPU seconds the calling thread has used, user and kernel (CLOCK_THREAD_CPUTIME_ID); NaN if unavailable.
    /// Kernel work done inside this thread's syscalls (a sock_diag dump, a /proc read) counts; time spent waiting
    /// for a core or stopped by a GC does not.
    /// </summary>
    internal static unsafe double ThreadCpuSeconds()
    {
        var ts = stackalloc long[2]; // struct timespec on 64-bit Linux: tv_sec, tv_nsec
        try { return LibC.ClockGetTime(CLOCK_THREAD_CPUTIME_ID, ts) == 0 ? ts[0] + ts[1] / 1e9 : double.NaN; }
        catch (EntryPointNotFoundException) { return double.NaN; }
    }

    /// <summary>Clock ticks per second for /proc CPU times (USER_HZ); 100 on every mainstream kernel.</summary>
    internal static readonly long ClockTicksPerSecond = TicksPerSecond();

    private static long TicksPerSecond()
    {
        try { var t = LibC.SysConf(SC_CLK_TCK); return t > 0 ? t : 100; }
        catch (DllNotFoundException) { return 100; }
        catch (EntryPointNotFoundException) { return 100; }
    }

    /// <summary>The path as UTF-8 with a trailing NUL, built once per file.</summary>
    internal static byte[] PathBytes(string path)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
        System.Text.Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }
}
