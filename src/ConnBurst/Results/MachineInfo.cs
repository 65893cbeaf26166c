using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace ConnBurst.Results;

/// <summary>Facts about the machine a run used, embedded in every result so that figures carry their context.</summary>
internal sealed class MachineInfo
{
    [JsonPropertyName("host")] public string Host { get; set; } = "";
    [JsonPropertyName("cores")] public int Cores { get; set; }
    [JsonPropertyName("memoryMiB")] public long MemoryMiB { get; set; }
    [JsonPropertyName("kernel")] public string Kernel { get; set; } = "";
    [JsonPropertyName("os")] public string Os { get; set; } = "";
    [JsonPropertyName("cpuModel")] public string CpuModel { get; set; } = "";
    [JsonPropertyName("dotnet")] public string DotNet { get; set; } = "";
    [JsonPropertyName("openssl")] public string OpenSsl { get; set; } = "";
    [JsonPropertyName("fdLimit")] public long FdLimit { get; set; }

    public static MachineInfo Collect()
    {
        var m = new MachineInfo
        {
            Host = Environment.MachineName,
            Cores = Environment.ProcessorCount,
            Os = RuntimeInformation.OSDescription,
            DotNet = RuntimeInformation.FrameworkDescription,
            Kernel = ReadFirstLine("/proc/sys/kernel/osrelease"),
            OpenSsl = OpenSslVersion(),
        };
        foreach (var line in ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal)
                && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kb))
            {
                m.MemoryMiB = kb / 1024;
            }
        }

        foreach (var line in ReadLines("/proc/cpuinfo"))
            if (line.StartsWith("model name", StringComparison.Ordinal)) { m.CpuModel = line[(line.IndexOf(':') + 1)..].Trim(); break; }
        m.FdLimit = OpenFilesLimit() ?? 0;
        return m;
    }

    /// <summary>
    /// Open files this process may have (the soft limit, which .NET raises to the hard one at start); null when
    /// /proc cannot say.
    /// </summary>
    public static long? OpenFilesLimit()
    {
        foreach (var line in ReadLines("/proc/self/limits"))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal)) continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length > 3 && long.TryParse(parts[3], System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var fd) ? fd : null;
        }
        return null;
    }

    /// <summary>The libssl version the TLS stack runs on, from the loaded native library (no process spawn).</summary>
    public static string OpenSslVersion()
    {
        foreach (var lib in new[] { "libssl.so.3", "libssl.so.1.1" })
        {
            if (!NativeLibrary.TryLoad(lib, out var handle)) continue;
            if (NativeLibrary.TryGetExport(handle, "OpenSSL_version", out var fn))
            {
                unsafe
                {
                    var f = (delegate* unmanaged<int, nint>)fn;
                    return Marshal.PtrToStringAnsi(f(0)) ?? lib;
                }
            }
            return lib;
        }
        return "unknown";
    }

    private static string ReadFirstLine(string path) => ReadLines(path).FirstOrDefault()?.Trim() ?? "";

    private static IEnumerable<string> ReadLines(string path)
    {
        try { return File.ReadAllLines(path); } catch (IOException) { return []; } catch (UnauthorizedAccessException) { return []; }
    }
}
