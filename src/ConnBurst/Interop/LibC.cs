using System.Runtime.InteropServices;

namespace ConnBurst.Interop;

/// <summary>
/// Every libc call the project makes, in one place; the callers (Common/Signals, Common/GlibcMalloc,
/// Load/SchedulerThreadPriority, Monitor/Proc) keep their own safe wrappers and say why they need the call.
/// </summary>
internal static unsafe partial class LibC
{
    private const string C = "libc";

    // Processes and threads.
    [LibraryImport(C, EntryPoint = "kill", SetLastError = true)] public static partial int Kill(int pid, int signal);
    /// <param name="action">A struct sigaction (152 bytes on glibc; its handler first), or null to only read.</param>
    [LibraryImport(C, EntryPoint = "sigaction", SetLastError = true)]
    public static partial int SigAction(int signal, byte* action, byte* oldAction);
    [LibraryImport(C, EntryPoint = "setpriority", SetLastError = true)]
    public static partial int SetPriority(int which, int who, int priority);
    [LibraryImport(C, EntryPoint = "gettid")] public static partial int GetTid();
    [LibraryImport(C, EntryPoint = "sysconf")] public static partial long SysConf(int name);
    [LibraryImport(C, EntryPoint = "clock_gettime")] public static partial int ClockGetTime(int clock, long* timespec);

    // glibc's allocator.
    [LibraryImport(C, EntryPoint = "mallopt")] public static partial int MallOpt(int option, int value);
    [LibraryImport(C, EntryPoint = "malloc_trim")] public static partial int MallocTrim(nuint pad);

    // Files by descriptor (the /proc readers: a path encoded once, no allocation per sample).
    [LibraryImport(C, EntryPoint = "open", SetLastError = true)] public static partial int Open(byte* path, int flags);
    [LibraryImport(C, EntryPoint = "pread", SetLastError = true)]
    public static partial nint Pread(int fd, byte* buffer, nuint count, long offset);
    [LibraryImport(C, EntryPoint = "close")] public static partial int Close(int fd);
    [LibraryImport(C, EntryPoint = "lseek", SetLastError = true)] public static partial long Lseek(int fd, long offset, int whence);
    [LibraryImport(C, EntryPoint = "getdents64", SetLastError = true)]
    public static partial nint GetDents64(int fd, byte* buffer, nuint count);

    // A netlink socket (sock_diag), which .NET's Socket does not open.
    [LibraryImport(C, EntryPoint = "socket", SetLastError = true)] public static partial int Socket(int domain, int type, int protocol);
    [LibraryImport(C, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, byte* value, uint length);
    [LibraryImport(C, EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, byte* buffer, nuint length, int flags);
    [LibraryImport(C, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, byte* buffer, nuint length, int flags);

    // The generator's event loops (Transport/EpollPoller, Transport/NonBlockingSockets): non-blocking client sockets
    // and the epoll set that waits on them, with an eventfd to wake a loop from another thread.
    [LibraryImport(C, EntryPoint = "connect", SetLastError = true)] public static partial int Connect(int fd, byte* address, uint length);
    [LibraryImport(C, EntryPoint = "bind", SetLastError = true)] public static partial int Bind(int fd, byte* address, uint length);
    [LibraryImport(C, EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int name, byte* value, uint* length);
    [LibraryImport(C, EntryPoint = "epoll_create1", SetLastError = true)] public static partial int EpollCreate1(int flags);
    [LibraryImport(C, EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epfd, int op, int fd, byte* ev);
    [LibraryImport(C, EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, byte* events, int maxEvents, int timeoutMs);
    [LibraryImport(C, EntryPoint = "eventfd", SetLastError = true)] public static partial int EventFd(uint initial, int flags);
    [LibraryImport(C, EntryPoint = "read", SetLastError = true)] public static partial nint Read(int fd, byte* buffer, nuint count);
    [LibraryImport(C, EntryPoint = "write", SetLastError = true)] public static partial nint Write(int fd, byte* buffer, nuint count);
}
