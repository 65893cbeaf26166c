using System.Globalization;

namespace ConnBurst.Monitor.Perf;

/// <summary>
/// <c>monitor --perf</c> during one recording: looks at the watched process's CPU in every recorded sample and, the
/// first time it is CPU-bound (at least <see cref="PerfSettings.CpuBoundPercent"/> of one core), starts one bounded
/// <see cref="PerfRecording"/>. At STOP <see cref="Detach"/> hands over what there is to say: the recording to
/// finish, or the one line why there is none. Called under the monitor's lock.
/// </summary>
internal sealed class PerfWatch(PerfSettings settings)
{
    private PerfRecording? _recording;
    private PerfProfile? _unavailable;
    private double _maxCpu;
    private int? _pid;

    public PerfSettings Settings => settings;

    /// <summary>A new recording begins: nothing seen yet.</summary>
    public void Reset()
    {
        _recording?.Dispose();
        _recording = null;
        _unavailable = null;
        _maxCpu = 0;
        _pid = null;
    }

    /// <summary>One recorded sample: the process's CPU (% of one core, NaN when unknown) and pid.</summary>
    public void OnSample(double cpuPercent, int? pid, double secondsIntoRecording, Action<string> log)
    {
        if (pid is null || double.IsNaN(cpuPercent)) return;
        _pid ??= pid;
        _maxCpu = Math.Max(_maxCpu, cpuPercent);
        if (_recording is not null || _unavailable is not null || cpuPercent < settings.CpuBoundPercent) return;
        (_recording, _unavailable) = PerfRecording.TryStart(pid.Value, settings.FrequencyHz, settings.Window, settings.CpuBoundPercent,
            secondsIntoRecording, cpuPercent);
        log(_recording is not null
            ? string.Create(CultureInfo.InvariantCulture,
            $"perf: pid {pid} at {cpuPercent:0}% of one core (>= {settings.CpuBoundPercent:0}%): sampling it at {settings.FrequencyHz} " +
            $"Hz for up to {settings.Window.TotalSeconds:0.#} s")
            : _unavailable!.Note);
    }

    /// <summary>Ends this recording's part: what the results will say about functions.</summary>
    public PerfProbe Detach()
    {
        PerfProbe probe;
        if (_recording is not null)
        {
            probe = new PerfProbe(_recording, null);
        }
        else if (_unavailable is not null)
        {
            probe = new PerfProbe(null, _unavailable);
        }
        else if (_pid is null)
        {
            probe = new PerfProbe(null, PerfProfile.Unavailable("process-gone",
                "perf not run: the watched process was not found during the recording", 0, settings.CpuBoundPercent));
        }
        else
        {
            var note = string.Create(CultureInfo.InvariantCulture,
                $"perf not run: the process was not CPU-bound (at most {_maxCpu:0.#}% of one core in a sample; --perf starts at " +
                    $"{settings.CpuBoundPercent:0.#}%)");
            var p = PerfProfile.Unavailable("not-cpu-bound", note, _pid.Value, settings.CpuBoundPercent);
            p.ProcessCpuPercent = Math.Round(_maxCpu, 1);
            probe = new PerfProbe(null, p);
        }
        _recording = null;
        _unavailable = null;
        return probe;
    }
}

/// <summary>What a finished recording knows about perf: a recording to finish (slow: run it off the lock) or a fixed answer.</summary>
internal sealed class PerfProbe(PerfRecording? recording, PerfProfile? answer)
{
    public PerfProfile Complete(Func<int, string?> threadName)
    {
        if (recording is null) return answer!;
        using (recording) return recording.Finish(threadName);
    }
}

/// <summary><c>--perf</c>'s bounds: the CPU that counts as bound, how often and how long perf samples.</summary>
internal sealed record PerfSettings(double CpuBoundPercent, int FrequencyHz, TimeSpan Window);
