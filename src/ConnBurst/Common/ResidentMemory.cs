using Microsoft.Win32.SafeHandles;

namespace ConnBurst.Common;

/// <summary>
/// This process's resident memory, read from <c>/proc/self/statm</c> through a descriptor opened on first use and kept.
/// <see cref="Environment.WorkingSet"/> opens /proc files on every call, so a process at its descriptor limit (a server full of
/// connections) failed there, in its stats line, and not where the limit really bites. Touch <see cref="Bytes"/> before load.
/// </summary>
internal static class ResidentMemory
{
    private static readonly Lock Gate = new();
    private static SafeFileHandle? _statm;
    private static readonly byte[] Buffer = new byte[128];

    /// <summary>Resident bytes now, or 0 when /proc cannot tell.</summary>
    public static long Bytes
    {
        get
        {
            lock (Gate)
            {
                try
                {
                    _statm ??= File.OpenHandle("/proc/self/statm");
                    // statm is "size resident shared ...", in pages, generated afresh by each read at offset 0.
                    var n = RandomAccess.Read(_statm, Buffer, 0);
                    var fields = System.Text.Encoding.ASCII.GetString(Buffer, 0, n).Split(' ');
                    return fields.Length > 1 && long.TryParse(fields[1], out var pages) ? pages * Environment.SystemPageSize : 0;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return 0;
                }
            }
        }
    }
}
