
using ConnBurst.Interop;

namespace ConnBurst.Common;

/// <summary>
/// POSIX signals to one process (.NET's Process can only kill): SIGINT asks a child of ours to stop cleanly and print
/// its final figures, as Ctrl-C would.
/// </summary>
internal static class Signals
{
    public const int Interrupt = 2;
    public const int Kill = 9;
    public const int Terminate = 15;

    /// <summary>
    /// Ctrl-C's meaning (stop, write what was gathered, exit 130) even when this process was started with SIGINT ignored, as a
    /// shell without job control starts every <c>&amp;</c> job and as nohup-like launchers do. .NET then leaves SIGINT ignored
    /// for good, so a server's <c>--workers</c> children, told to stop with SIGINT, were killed without their final counters.
    /// Must run before the runtime sets up its own signal handling (the first use of the console): that setup keeps an
    /// ignored SIGINT ignored.
    /// </summary>
    public static unsafe void HonourInterruptEvenIfIgnored()
    {
        const nint Ignored = 1; // SIG_IGN
        var action = stackalloc byte[256]; // larger than glibc's struct sigaction on any architecture
        new Span<byte>(action, 256).Clear();
        if (LibC.SigAction(Interrupt, null, action) != 0 || *(nint*)action != Ignored) return;
        new Span<byte>(action, 256).Clear(); // SIG_DFL, no flags, empty mask
        LibC.SigAction(Interrupt, action, null);
    }

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when it is gone or not ours.</summary>
    public static bool Send(int pid, int signal) => LibC.Kill(pid, signal) == 0;

    /// <summary>How a process ended, from .NET's exit code (128 + signal for a signalled child): "code 3", "signal 9 (SIGKILL)".</summary>
    public static string DescribeExit(int exitCode) => exitCode switch
    {
        134 => "signal 6 (SIGABRT)",
        137 => "signal 9 (SIGKILL)",
        139 => "signal 11 (SIGSEGV)",
        143 => "signal 15 (SIGTERM)",
        _ => $"code {exitCode}",
    };

}
