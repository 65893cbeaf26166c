using System.Globalization;
using System.Text.Json.Serialization;

namespace ConnBurst.Monitor.Perf;

/// <summary>
/// <c>monitor --perf</c>'s answer to the seed's last step ("perf top -t TID: in which function is most of the CPU time
/// spent"): the watched process's busiest threads, each with its top functions, from one bounded <c>perf record</c>.
/// Shares are of samples: a thread's share is of the process's samples, a function's of its thread's, so a thread's
/// function shares add up to at most 1. When no profile could be taken, <see cref="Status"/> says why and
/// <see cref="Note"/> says it in one line. Embedded in the monitor summary as <c>process.profile</c>
/// (docs/results-schema.md).
/// </summary>
internal sealed class PerfProfile
{
    /// <summary>ok, perf-missing, not-permitted, not-cpu-bound, process-gone, no-samples or failed.</summary>
    [JsonPropertyName("status")] public string Status { get; set; } = "ok";
    /// <summary>One line: the headline when ok, otherwise why there is no profile.</summary>
    [JsonPropertyName("note")] public string Note { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("event")] public string? Event { get; set; }
    [JsonPropertyName("frequencyHz")] public int? FrequencyHz { get; set; }
    /// <summary>How long perf sampled (the window, or less when STOP came first).</summary>
    [JsonPropertyName("seconds")] public double? Seconds { get; set; }
    /// <summary>Seconds after START when the process was first CPU-bound and perf started.</summary>
    [JsonPropertyName("startedAfterSeconds")] public double? StartedAfterSeconds { get; set; }
    /// <summary>The process's CPU (% of one core) in the sample that started perf, or its highest when it never did.</summary>
    [JsonPropertyName("processCpuPercent")] public double? ProcessCpuPercent { get; set; }
    [JsonPropertyName("cpuBoundPercent")] public double CpuBoundPercent { get; set; }
    /// <summary>Whether perf could name managed frames: "perf map read", "no perf map" (a .NET process without DOTNET_PerfMapEnabled=1), or
    /// null for native processes.</summary>
    [JsonPropertyName("managedFrames")] public string? ManagedFrames { get; set; }
    [JsonPropertyName("samples")] public long Samples { get; set; }
    [JsonPropertyName("threads")] public List<ProfiledThread> Threads { get; set; } = [];

    [JsonIgnore] public bool Ok => Status == "ok";

    public static PerfProfile Unavailable(string status, string note, int pid, double cpuBoundPercent) =>
        new() { Status = status, Note = note, Pid = pid, CpuBoundPercent = cpuBoundPercent };

    /// <summary>"busiest thread X (tid N, 42% of the process's samples): 27% F in libcrypto.so.3, 9% ...".</summary>
    public string Headline()
    {
        if (Threads.Count == 0) return Note;
        var t = Threads[0];
        return string.Create(CultureInfo.InvariantCulture,
            $"busiest thread {t.Name} (tid {t.Tid}, {t.Share * 100:0}% of the process's samples): {ProfiledThread.Top(t.Functions, 3)}");
    }
}

internal sealed class ProfiledThread
{
    [JsonPropertyName("tid")] public int Tid { get; set; }
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("samples")] public long Samples { get; set; }
    /// <summary>This thread's share of the process's samples, 0-1.</summary>
    [JsonPropertyName("share")] public double Share { get; set; }
    /// <summary>Its top functions, most samples first.</summary>
    [JsonPropertyName("functions")] public List<ProfiledFunction> Functions { get; set; } = [];
    /// <summary>Its samples by file (libcrypto.so.3, managed (perf map), [kernel.kallsyms]...), most first: where the time went when no one
    /// function dominates.</summary>
    [JsonPropertyName("modules")] public List<ProfiledModule> Modules { get; set; } = [];

    /// <summary>"27% F in M, 9% G in N" for the first <paramref name="n"/> functions.</summary>
    public static string Top(IEnumerable<ProfiledFunction> functions, int n) =>
        string.Join(", ", functions.Take(n).Select(f
            => string.Create(CultureInfo.InvariantCulture, $"{f.Share * 100:0.#}% {f.Symbol} in {f.Module}")));
}

internal sealed class ProfiledFunction
{
    /// <summary>The symbol perf resolved (a managed method from the perf map, or a native function); [unknown] when it could not.</summary>
    [JsonPropertyName("symbol")] public string Symbol { get; set; } = "";
    /// <summary>The file it lives in (libcrypto.so.3, libcoreclr.so, [kernel.kallsyms]), or "managed (perf map)" for JIT-compiled
    /// code.</summary>
    [JsonPropertyName("module")] public string Module { get; set; } = "";
    [JsonPropertyName("samples")] public long Samples { get; set; }
    /// <summary>Share of its thread's samples, 0-1.</summary>
    [JsonPropertyName("share")] public double Share { get; set; }
}

internal sealed class ProfiledModule
{
    [JsonPropertyName("module")] public string Module { get; set; } = "";
    [JsonPropertyName("samples")] public long Samples { get; set; }
    /// <summary>Share of its thread's samples, 0-1.</summary>
    [JsonPropertyName("share")] public double Share { get; set; }
}
