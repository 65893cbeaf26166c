using ConnBurst.Monitor.Proc;

namespace ConnBurst.Monitor;

/// <summary>
/// The process the monitor watches, given by pid or by name. A process found by name is looked up again
/// (at most every 5 s) when it ends, so a server restarted between runs is picked up; a pid is followed until it ends.
/// </summary>
internal sealed class ProcessTarget : IDisposable
{
    private static readonly TimeSpan LookupEvery = TimeSpan.FromSeconds(5);
    private ProcessReader? _reader;
    private long _lastLookup;
    private bool _baseline;

    private ProcessTarget(string? name, int? pid)
    {
        Name = name;
        FixedPid = pid;
    }

    /// <summary>The name asked for (--process), or null when watching a pid.</summary>
    public string? Name { get; }
    public int? FixedPid { get; }

    /// <summary>Notes about lookups (found, gone, several matched) for the monitor to print.</summary>
    public event Action<string>? Notice;

    public static ProcessTarget ByName(string name) => new(name, null);

    public static ProcessTarget ByPid(int pid) => new(null, pid);

    /// <summary>The process being read now, if any.</summary>
    internal ProcessReader? Current => _reader;

    public int? Pid => _reader?.Pid;
    public string Describe() => Name is not null ? $"named {Name}" : $"pid {FixedPid}";

    internal ProcessReader? Sample(double seconds)
    {
        if (_reader is not null && !_reader.Sample(seconds) && !_reader.Alive)
        {
            Notice?.Invoke($"watched process {_reader.Name} (pid {_reader.Pid}) has ended");
            _reader.Dispose();
            _reader = null;
            _lastLookup = 0;
        }
        if (_reader is null) TryAttach(seconds);
        return _reader is { Alive: true } r ? r : null;
    }

    private void TryAttach(double seconds)
    {
        if (_lastLookup != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(_lastLookup) < LookupEvery) return;
        _lastLookup = System.Diagnostics.Stopwatch.GetTimestamp();
        int pid;
        if (FixedPid is { } fixedPid)
        {
            if (!ProcessLocator.Exists(fixedPid)) return;
            pid = fixedPid;
        }
        else
        {
            var found = ProcessLocator.Find(Name!);
            if (found.Count == 0) return;
            pid = found[0];
            if (found.Count > 1)
            {
                Notice?.Invoke(
                    $"{found.Count} processes are named {Name}: watching the oldest, pid {pid} (others: " +
                    $"{string.Join(',', found.Skip(1).Take(10))}); use --pid to choose");
            }
        }
        _reader = new ProcessReader(pid);
        _reader.Sample(seconds);
        if (_baseline) _reader.MarkBaseline();
        Notice?.Invoke($"watching process {_reader.Name} (pid {pid}, {_reader.Threads} threads)");
    }

    internal void MarkBaseline()
    {
        _baseline = true;
        _reader?.MarkBaseline();
    }

    internal void ClearBaseline()
    {
        _baseline = false;
        _reader?.ClearBaseline();
    }

    public void Dispose() => _reader?.Dispose();
}
