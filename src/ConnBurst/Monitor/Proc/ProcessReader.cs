using System.Text;

namespace ConnBurst.Monitor.Proc;

/// <summary>
/// One watched process: its CPU, RSS, descriptor count and thread count, and the CPU of each of its threads
/// (what `top -H -p PID` shows), from /proc/PID/stat, /proc/PID/fd and /proc/PID/task/TID/stat.
/// <code>
/// 7954 (cat) R 7943 7943 4456 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 60371 3133440 379 18446744073709551615 ...
/// </code>
/// Fields after the parenthesised comm (which may itself hold spaces and parentheses, so parsing starts at
/// the LAST ')'): state(3) ... utime(14) stime(15) ... num_threads(20) ... rss(24, pages). A thread's own
/// stat file has the same layout, and its comm field is the thread's name, exactly as /proc/PID/task/TID/comm
/// prints it, so one read per thread gives both name and CPU.
/// </summary>
internal sealed class ProcessReader : IDisposable
{
    /// <summary>
    /// Threads whose stat file stays open between samples (a pread on an open file costs a third of open+read+close);
    /// threads beyond this are opened per sample, so a process with thousands of threads cannot exhaust our descriptors.
    /// </summary>
    internal const int MaxOpenThreadFiles = 256;

    private readonly ProcFile _stat;
    private readonly DirectoryEntries _fdDir;
    private readonly DirectoryEntries _taskDir;
    private readonly Dictionary<int, ThreadState> _byTid = new();
    private readonly List<ThreadState> _threads = new();
    private readonly long _pageBytes = Environment.SystemPageSize;
    private long _ticks;
    private long _ticksBefore;
    private long _baselineTicks;
    private bool _baselineActive;
    private int _generation;
    private bool _rescan = true;
    private bool _primed;

    public ProcessReader(int pid)
    {
        Pid = pid;
        _stat = new ProcFile($"/proc/{pid}/stat", bufferSize: 1024);
        _fdDir = new DirectoryEntries($"/proc/{pid}/fd");
        _taskDir = new DirectoryEntries($"/proc/{pid}/task");
        Name = ReadComm($"/proc/{pid}/comm");
    }

    public int Pid { get; }
    public string Name { get; }

    /// <summary>False once the process has ended.</summary>
    public bool Alive { get; private set; } = true;

    /// <summary>CPU over the last interval, in percent of one core (so a process using two full cores reads 200).</summary>
    public double CpuPercent { get; private set; }
    public double RssMiB { get; private set; }
    public int Fds { get; private set; }
    public int Threads { get; private set; }

    /// <summary>Reads the process and its threads; false if the process is gone (or on the first read, which only primes the
    /// counters).</summary>
    public bool Sample(double seconds)
    {
        var text = _stat.ReadAll();
        if (text.IsEmpty || !ParseStat(text, out _, out var ticks, out var threads, out var rssPages))
        {
            Alive = false;
            return false;
        }
        _ticksBefore = _ticks;
        _ticks = ticks;
        RssMiB = rssPages * (double)_pageBytes / (1024 * 1024);
        Fds = Math.Max(0, _fdDir.CountNumeric());
        if (threads != Threads) _rescan = true;
        Threads = (int)threads;
        SampleThreads();
        var was = _primed;
        _primed = true;
        CpuPercent = was && seconds > 0 ? 100.0 * (_ticks - _ticksBefore) / Native.ClockTicksPerSecond / seconds : 0;
        return was;
    }

    /// <summary>Starts counting thread CPU for a recording from now.</summary>
    public void MarkBaseline()
    {
        _baselineActive = true;
        _baselineTicks = _ticks;
        for (var i = _threads.Count - 1; i >= 0; i--)
        {
            if (!_threads[i].Alive) { _byTid.Remove(_threads[i].Tid); _threads[i].File.Dispose(); _threads.RemoveAt(i); continue; }
            _threads[i].BaselineTicks = _threads[i].Ticks;
        }
    }

    public void ClearBaseline() => _baselineActive = false;

    /// <summary>Process CPU seconds since <see cref="MarkBaseline"/>.</summary>
    public double CpuSecondsSinceBaseline => (_ticks - _baselineTicks) / (double)Native.ClockTicksPerSecond;

    /// <summary>The busiest threads since <see cref="MarkBaseline"/>, busiest first (threads that ended during the recording
    /// included).</summary>
    public IReadOnlyList<ThreadCpu> ThreadTable(int top)
    {
        double total = 0;
        foreach (var t in _threads) total += Math.Max(0, t.Ticks - t.BaselineTicks);
        return _threads
            .Select(t => (t, d: Math.Max(0, t.Ticks - t.BaselineTicks)))
            .OrderByDescending(x => x.d).ThenBy(x => x.t.Tid)
            .Take(top)
            .Select(x => new ThreadCpu(x.t.Tid, x.t.Name, x.d / (double)Native.ClockTicksPerSecond, total > 0 ? x.d / total : 0, x.t.Alive))
            .ToList();
    }

    private void SampleThreads()
    {
        if (_rescan)
        {
            _rescan = false;
            _generation++;
            _taskDir.ForEachNumeric(this, static (self, tid) => self.OnThreadListed(tid));
            foreach (var t in _threads)
                if (t.Alive && t.Generation != _generation) t.Alive = false;
        }
        foreach (var t in _threads)
        {
            if (!t.Alive) continue;
            var text = t.File.ReadAll();
            if (text.IsEmpty || !ParseStat(text, out var comm, out var ticks, out _, out _))
            {
                // Ended since the last listing; list again next time in case another took its place.
                t.Alive = false;
                _rescan = true;
                continue;
            }
            t.Ticks = ticks;
            if (!comm.SequenceEqual(t.NameBytes)) t.Rename(comm);
        }
    }

    private void OnThreadListed(int tid)
    {
        if (!_byTid.TryGetValue(tid, out var t))
        {
            t = new ThreadState(tid, new ProcFile($"/proc/{Pid}/task/{tid}/stat", keepOpen: _threads.Count < MaxOpenThreadFiles,
                bufferSize: 512));
            var text = t.File.ReadAll();
            if (!text.IsEmpty && ParseStat(text, out var comm, out var ticks, out _, out _))
            {
                t.Rename(comm);
                t.Ticks = ticks;
                // Born during the recording: all its CPU counts. Otherwise count from now.
                t.BaselineTicks = _baselineActive ? 0 : ticks;
            }
            _byTid[tid] = t;
            _threads.Add(t);
        }
        t.Alive = true;
        t.Generation = _generation;
    }

    /// <summary>Parses a /proc/PID/stat or /proc/PID/task/TID/stat line.</summary>
    internal static bool ParseStat(ReadOnlySpan<byte> text, out ReadOnlySpan<byte> comm, out long cpuTicks, out long threads,
        out long rssPages)
    {
        comm = default;
        cpuTicks = threads = rssPages = 0;
        var open = text.IndexOf((byte)'(');
        var close = text.LastIndexOf((byte)')');
        if (open < 0 || close < open) return false;
        comm = text[(open + 1)..close];
        var c = new FieldCursor(text[(close + 1)..]);
        c.Skip(11);                    // state(3) .. cmajflt(13)
        cpuTicks = c.NextLong();       // utime(14)
        cpuTicks += c.NextLong();      // stime(15)
        c.Skip(4);                     // cutime(16) .. nice(19)
        threads = c.NextLong();        // num_threads(20)
        c.Skip(3);                     // itrealvalue(21) starttime(22) vsize(23)
        rssPages = c.NextLong();       // rss(24)
        return true;
    }

    private static string ReadComm(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    public void Dispose()
    {
        _stat.Dispose();
        _fdDir.Dispose();
        _taskDir.Dispose();
        foreach (var t in _threads) t.File.Dispose();
    }

    private sealed class ThreadState(int tid, ProcFile file)
    {
        public int Tid { get; } = tid;
        public ProcFile File { get; } = file;
        public string Name { get; private set; } = "";
        public byte[] NameBytes { get; private set; } = [];
        public long Ticks { get; set; }
        public long BaselineTicks { get; set; }
        public bool Alive { get; set; } = true;
        public int Generation { get; set; }

        /// <summary>Threads name themselves after they start, so the name is re-checked each read; it allocates only when it
        /// changes.</summary>
        public void Rename(ReadOnlySpan<byte> comm)
        {
            NameBytes = comm.ToArray();
            Name = Encoding.UTF8.GetString(comm);
        }
    }
}
