using System.Runtime.InteropServices;
using ConnBurst.Interop;

namespace ConnBurst.Transport;

/// <summary>
/// One epoll set and the thread that waits on it: the generator's event loop blocks here (never spins) until a socket
/// is ready, its next deadline, or <see cref="Wake"/> from another thread. Sockets are registered edge-triggered for
/// both directions once, so a connection costs one epoll_ctl for its whole life; its owner must then read or write
/// until the call would block before it waits again. Tokens are the caller's (a slot and its cycle).
/// </summary>
internal sealed unsafe class EpollPoller : IDisposable
{
    private const int EpollCtlAdd = 1, EpollCtlDel = 2;
    public const uint In = 0x001, Out = 0x004, Err = 0x008, Hup = 0x010, RdHup = 0x2000, EdgeTriggered = 1u << 31;
    private const int EfdNonBlock = 0x800, EfdCloexec = 0x80000, EpollCloexec = 0x80000;

    /// <summary>The token of the wake-up eventfd; callers' tokens must differ.</summary>
    public const ulong WakeToken = ulong.MaxValue;

    // struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16 bytes).
    private static readonly int Stride = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private readonly int _epfd;
    private readonly int _wakeFd;
    private readonly byte* _events;
    private readonly int _capacity;
    private int _disposed;

    public EpollPoller(int capacity = 256)
    {
        _capacity = capacity;
        _epfd = LibC.EpollCreate1(EpollCloexec);
        if (_epfd < 0) throw new IOException($"epoll_create1 failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        _wakeFd = LibC.EventFd(0, EfdNonBlock | EfdCloexec);
        if (_wakeFd < 0)
        {
            LibC.Close(_epfd);
            throw new IOException($"eventfd failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        _events = (byte*)NativeMemory.Alloc((nuint)(capacity * Stride));
        if (Add(_wakeFd, WakeToken, In) != 0) throw new IOException("epoll_ctl on the wake eventfd failed");
    }

    /// <summary>Watches <paramref name="fd"/> for <paramref name="events"/>; 0 or the errno.</summary>
    public int Add(int fd, ulong token, uint events)
    {
        var ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + 4 + (Stride - 12)) = token; // after the 4-byte mask, padded to 8 when not packed
        return LibC.EpollCtl(_epfd, EpollCtlAdd, fd, ev) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Stops watching; closing the descriptor does the same, so this is only for one that stays open.</summary>
    public void Remove(int fd) => LibC.EpollCtl(_epfd, EpollCtlDel, fd, null);

    /// <summary>Blocks until something is ready or <paramref name="timeoutMs"/> passes; returns how many events <see cref="TokenAt"/> can
    /// read.</summary>
    public int Wait(int timeoutMs)
    {
        var n = LibC.EpollWait(_epfd, _events, _capacity, timeoutMs);
        return n < 0 ? 0 : n; // EINTR (a signal, a debugger): the caller's loop simply goes round
    }

    public ulong TokenAt(int i) => *(ulong*)(_events + (i * Stride) + 4 + (Stride - 12));

    public uint EventsAt(int i) => *(uint*)(_events + (i * Stride));

    /// <summary>Any thread: makes the current or next <see cref="Wait"/> return at once.</summary>
    public void Wake()
    {
        ulong one = 1;
        LibC.Write(_wakeFd, (byte*)&one, 8);
    }

    /// <summary>Takes the wake-up's count, so the eventfd is quiet again (the loop thread, on <see cref="WakeToken"/>).</summary>
    public void ClearWake()
    {
        ulong count;
        LibC.Read(_wakeFd, (byte*)&count, 8);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        LibC.Close(_wakeFd);
        LibC.Close(_epfd);
        NativeMemory.Free(_events);
    }
}
