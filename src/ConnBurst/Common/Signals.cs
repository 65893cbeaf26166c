
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
