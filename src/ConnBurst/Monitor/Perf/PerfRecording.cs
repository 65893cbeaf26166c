using System.Diagnostics;
using System.Globalization;
using ConnBurst.Common;

namespace ConnBurst.Monitor.Perf;

/// <summary>
/// One bounded <c>perf record</c> of a watched process (<c>-p PID</c>, every thread, <c>-e cpu-clock</c> at a fixed
/// frequency for at most a window), started when the process turned CPU-bound during a recording and finished at
/// STOP: perf is stopped with SIGINT if still sampling (so it writes a whole file), then <c>perf script</c> names
/// each sample's function and <see cref="PerfScriptParser"/> counts them per thread. cpu-clock rather than cycles
/// because it works everywhere, in VMs without a PMU too. Every wait is bounded; nothing here throws: a failure
/// becomes a profile whose status says what happened.
/// </summary>
internal sealed class PerfRecording : IDisposable
{
    public const string Event = "cpu-clock";
    private const int ThreadsKept = 5;
    private const int FunctionsKept = 15;
    private const int ModulesKept = 6;
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _perf;
    private readonly string _dataFile;
    private readonly int _pid;
    private readonly int _frequency;
    private readonly TimeSpan _window;
    private readonly double _threshold;
    private readonly double _startedAfter;
    private readonly double _cpuPercent;
    private readonly string? _managedFrames;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly System.Text.StringBuilder _stderr = new();

    private PerfRecording(int pid, int frequency, TimeSpan window, double threshold, double startedAfter, double cpuPercent)
    {
        _pid = pid;
        _frequency = frequency;
        _window = window;
        _threshold = threshold;
        _startedAfter = startedAfter;
        _cpuPercent = cpuPercent;
        _managedFrames = ManagedFrames(pid);
        _dataFile = Path.Combine(Path.GetTempPath(), $"connburst-perf-{Environment.ProcessId}-{pid}-{DateTime.UtcNow.Ticks}.data");
        var psi = new ProcessStartInfo(PerfTool.Path!) { RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false };
        foreach (var a in new[] { "record", "-q", "-e", Event, "-F", frequency.ToString(CultureInfo.InvariantCulture), "-p",
            pid.ToString(CultureInfo.InvariantCulture),
                     "-o", _dataFile, "--", "sleep", window.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }
        _perf = new Process { StartInfo = psi };
        _perf.OutputDataReceived += (_, _) => { };
        _perf.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _perf.Start();
        _perf.BeginOutputReadLine();
        _perf.BeginErrorReadLine();
    }

    /// <summary>Starts perf on <paramref name="pid"/>; the reason instead when perf is missing or not permitted.</summary>
    public static (PerfRecording? Recording, PerfProfile? Unavailable) TryStart(int pid, int frequency, TimeSpan window, double threshold,
        double startedAfter, double cpuPercent)
    {
        if (PerfTool.WhyUnavailable() is { } why) return (null, PerfProfile.Unavailable(why.Status, why.Note, pid, threshold));
        try { return (new PerfRecording(pid, frequency, window, threshold, startedAfter, cpuPercent), null); }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return (null, PerfProfile.Unavailable("failed", $"perf could not start: {e.Message}", pid, threshold));
        }
    }

    /// <summary>Stops perf if it still samples, reads its samples, and builds the profile (blocks for seconds; call off the monitor's
    /// lock).</summary>
    public PerfProfile Finish(Func<int, string?> threadName)
    {
        var profile = new PerfProfile
        {
            Pid = _pid, Event = Event, FrequencyHz = _frequency, CpuBoundPercent = _threshold,
            StartedAfterSeconds = Math.Round(_startedAfter, 1), ProcessCpuPercent = Math.Round(_cpuPercent, 1),
                ManagedFrames = _managedFrames,
        };
        if (!_perf.HasExited) Signals.Send(_perf.Id, 2); // SIGINT: perf record writes a complete file and ends its workload
        if (!_perf.WaitForExit(TimeSpan.FromSeconds(15)))
        {
            try { _perf.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
        profile.Seconds = Math.Round(Math.Min(Stopwatch.GetElapsedTime(_started).TotalSeconds, _window.TotalSeconds), 1);
        string errors;
        lock (_stderr) errors = _stderr.ToString().Trim();
        if (!File.Exists(_dataFile))
        {
            var status = PerfTool.LooksNotPermitted(errors) ? "not-permitted" : "failed";
            return Fail(profile, status, $"perf record wrote nothing (exit {SafeExitCode()}): {LastLine(errors)}");
        }
        Dictionary<int, Dictionary<(string Symbol, string Module), long>> counts;
        try { counts = Script(); }
        catch (Exception e) when (e is TimeoutException or IOException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return Fail(profile, "failed", $"perf script failed: {e.Message}");
        }
        profile.Samples = counts.Values.Sum(f => f.Values.Sum());
        if (profile.Samples == 0)
        {
            return Fail(profile, "no-samples",
                $"perf sampled nothing of pid {_pid} in {profile.Seconds:0.#} s (the process ended or slept): {LastLine(errors)}");
        }
        foreach (var (tid, functions) in counts.OrderByDescending(kv => kv.Value.Values.Sum()).Take(ThreadsKept))
        {
            var samples = functions.Values.Sum();
            profile.Threads.Add(new ProfiledThread
            {
                Tid = tid, Name = threadName(tid) ?? $"tid {tid}", Samples = samples,
                Share = ShareOf(samples, profile.Samples),
                Functions = functions.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key.Symbol, StringComparer.Ordinal)
                    .Take(FunctionsKept)
                    .Select(kv => new ProfiledFunction { Symbol = kv.Key.Symbol, Module = kv.Key.Module, Samples = kv.Value,
                    Share = ShareOf(kv.Value, samples) })
                    .ToList(),
                Modules = functions.GroupBy(kv => kv.Key.Module, kv => kv.Value).Select(g => (Module: g.Key, Samples: g.Sum()))
                    .OrderByDescending(m => m.Samples).ThenBy(m => m.Module, StringComparer.Ordinal).Take(ModulesKept)
                    .Select(m => new ProfiledModule { Module = m.Module, Samples = m.Samples, Share = ShareOf(m.Samples, samples) })
                    .ToList(),
            });
        }
        profile.Note = profile.Headline() + (_managedFrames == NoPerfMap
            ? $"; managed frames unnamed: pid {_pid} is a .NET process without /tmp/perf-{_pid}.map (start it with DOTNET_PerfMapEnabled=1)"
            : "");
        return profile;
    }

    private const string NoPerfMap = "no perf map";

    // Rounded down, so that shares of one whole never add up to more than 1.
    private static double ShareOf(long part, long whole) => Math.Floor(10_000.0 * part / whole) / 10_000;

    private static PerfProfile Fail(PerfProfile p, string status, string note)
    {
        p.Status = status;
        p.Note = note;
        return p;
    }

    private string SafeExitCode()
    {
        try { return _perf.ExitCode.ToString(CultureInfo.InvariantCulture); }
        catch (InvalidOperationException) { return "?"; }
    }

    private Dictionary<int, Dictionary<(string Symbol, string Module), long>> Script()
    {
        var psi = new ProcessStartInfo(PerfTool.Path!) { RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false };
        foreach (var a in new[] { "script", "-i", _dataFile, "-F", "tid,ip,sym,dso" }) psi.ArgumentList.Add(a);
        using var script = Process.Start(psi) ?? throw new InvalidOperationException("perf script did not start");
        script.ErrorDataReceived += (_, _) => { };
        script.BeginErrorReadLine();
        var map = _managedFrames is null ? null : PerfMap.Load(_pid);
        var reading = Task.Run(() => PerfScriptParser.Count(Lines(script.StandardOutput), map));
        if (!reading.Wait(ScriptTimeout))
        {
            try { script.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"perf script took longer than {ScriptTimeout.TotalSeconds:0} s");
        }
        script.WaitForExit(TimeSpan.FromSeconds(10));
        return reading.Result;
    }

    private static IEnumerable<string> Lines(StreamReader reader)
    {
        while (reader.ReadLine() is { } line) yield return line;
    }

    private static string LastLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim()
        ?? "no message";

    /// <summary>A .NET process (libcoreclr mapped) has its JIT-compiled methods named only through its perf map file.</summary>
    private static string? ManagedFrames(int pid)
    {
        try
        {
            var maps = File.ReadAllText($"/proc/{pid}/maps");
            if (!maps.Contains("libcoreclr.so", StringComparison.Ordinal)) return null;
            return File.Exists($"/tmp/perf-{pid}.map") ? "perf map read" : NoPerfMap;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    public void Dispose()
    {
        try { if (!_perf.HasExited) _perf.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _perf.Dispose();
        try { File.Delete(_dataFile); } catch (IOException) { }
    }
}
