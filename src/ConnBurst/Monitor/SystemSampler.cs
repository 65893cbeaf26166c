using ConnBurst.Monitor.Proc;

namespace ConnBurst.Monitor;

/// <summary>
/// Reads every /proc source once per interval into one flat vector of values whose names
/// (<see cref="Columns"/>, dotted like <c>cpu.cpu0.busy</c> or <c>net.eth0.rxBytesPerSec</c>) are fixed at
/// start. The same vector feeds the recording, the text table and Graphite, so each consumer is a loop over
/// columns. A steady-state <see cref="Sample"/> allocates nothing: readers reuse their buffers, and the vector
/// is overwritten in place. Values that do not exist this interval (the watched process is gone) are NaN.
/// </summary>
internal sealed class SystemSampler : IDisposable
{
    private static readonly string[] CpuFieldNames = ["user", "system", "iowait", "irq", "softirq", "steal", "idle", "busy"];
    private readonly CpuStatReader _cpu = new();
    private readonly MemInfoReader _mem = new();
    private readonly NetDevReader _net = new();
    private readonly DiskStatsReader _disk = new();
    private readonly LoadAvgReader _load = new();
    private readonly TcpExtReader _tcpExt = new();
    private readonly TcpSocketReader? _sockets;
    private readonly ProcessTarget? _target;
    private readonly List<string> _columns = new();
    private readonly int _memAt, _netAt, _diskAt, _loadAt, _tcpAt, _processAt, _socketsAt;
    private long _lastTimestamp;

    private int _socketEvery = 1;
    private int _socketCountdown;

    /// <param name="socketBudgetPercent">
    /// The share of one core the socket dump may use (0: dump every interval). The kernel walks every TCP socket
    /// for a dump (about 1.5 µs each here), so with a million connections one dump costs seconds; the monitor
    /// then dumps every Nth interval to stay within budget and leaves the socket series empty (NaN) in between.
    /// </param>
    public SystemSampler(ProcessTarget? target = null, int? port = null, double socketBudgetPercent = 0.5)
    {
        _target = target;
        SocketBudgetPercent = socketBudgetPercent;
        if (port is { } p) _sockets = new TcpSocketReader(p);

        Add("cpu.total", CpuFieldNames);
        for (var i = 0; i < _cpu.Cores; i++) Add($"cpu.cpu{i}", CpuFieldNames);
        _memAt = Add("mem", "totalMiB", "usedMiB", "availableMiB", "cachedMiB", "swapUsedMiB");
        _netAt = _columns.Count;
        foreach (var iface in _net.Interfaces)
            Add($"net.{MetricName(iface)}", "rxBytesPerSec", "txBytesPerSec", "rxPacketsPerSec", "txPacketsPerSec", "dropsPerSec");
        _diskAt = _columns.Count;
        foreach (var disk in _disk.Disks)
            Add($"disk.{MetricName(disk)}", "readBytesPerSec", "writeBytesPerSec", "readsPerSec", "writesPerSec", "busyPercent");
        _loadAt = Add("load", "load1", "load5", "load15", "runnable");
        _tcpAt = Add("tcp", "listenOverflows", "listenDrops", "reqQFullDrops");
        _processAt = target is null ? -1 : Add("process", "pid", "cpuPercent", "rssMiB", "fds", "threads");
        _socketsAt = _sockets is null ? -1 : Add("sockets",
            [.. TcpStates.Names, "acceptQueue", "recvQSum", "recvQMax", "sendQSum", "sendQMax", "peerSockets", "peerRecvQSum",
            "peerSendQSum", "listenBacklog"]);
        Values = new double[_columns.Count];
    }

    public IReadOnlyList<string> Columns => _columns;

    /// <summary>The last sample, one value per column (overwritten by the next <see cref="Sample"/>).</summary>
    public double[] Values { get; }

    public int Cores => _cpu.Cores;
    public IReadOnlyList<string> Interfaces => _net.Interfaces;
    public IReadOnlyList<string> Disks => _disk.Disks;
    public int? Port => _sockets?.Port;
    public ProcessTarget? Target => _target;
    public double SocketBudgetPercent { get; }

    /// <summary>Sockets are dumped every this many samples (1 unless a dump costs more than the budget).</summary>
    public int SocketSampleEvery => _socketEvery;

    /// <summary>Raised when <see cref="SocketSampleEvery"/> changes, with a sentence for the log.</summary>
    public event Action<string>? Notice;

    /// <summary>
    /// Makes the next <see cref="Sample"/> dump the sockets whatever the cadence, then the cadence goes on from there.
    /// Called at a recording's START: with a cadence of every Nth interval a recording shorter than N intervals
    /// would otherwise hold no socket sample at all. One extra dump per START stays within the budget's spirit.
    /// </summary>
    public void DumpSocketsAtNextSample() => _socketCountdown = 0;

    /// <summary>Index of a column by name, or -1.</summary>
    public int IndexOf(string column) => _columns.IndexOf(column);

    /// <summary>
    /// Reads every source. Returns false on the first call, which only primes the counters that rates are
    /// computed from; from the second call on, <see cref="Values"/> holds the interval since the previous call.
    /// </summary>
    public bool Sample()
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var seconds = _lastTimestamp == 0 ? 0 : System.Diagnostics.Stopwatch.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
        _lastTimestamp = now;
        var v = Values.AsSpan();

        var ready = _cpu.Sample();
        if (ready) _cpu.Percent.AsSpan().CopyTo(v);

        _mem.Sample();
        v[_memAt] = _mem.TotalMiB;
        v[_memAt + 1] = _mem.UsedMiB;
        v[_memAt + 2] = _mem.AvailableMiB;
        v[_memAt + 3] = _mem.CachedMiB;
        v[_memAt + 4] = _mem.SwapUsedMiB;

        _net.Sample();
        for (var i = 0; i < _net.Interfaces.Count; i++)
        {
            var at = _netAt + i * 5;
            v[at] = _net.Rate(i, NetDevReader.RxBytes, seconds);
            v[at + 1] = _net.Rate(i, NetDevReader.TxBytes, seconds);
            v[at + 2] = _net.Rate(i, NetDevReader.RxPackets, seconds);
            v[at + 3] = _net.Rate(i, NetDevReader.TxPackets, seconds);
            v[at + 4] = _net.Rate(i, NetDevReader.Drops, seconds);
        }

        _disk.Sample();
        for (var i = 0; i < _disk.Disks.Count; i++)
        {
            var at = _diskAt + i * 5;
            v[at] = _disk.ReadBytesPerSecond(i, seconds);
            v[at + 1] = _disk.WriteBytesPerSecond(i, seconds);
            v[at + 2] = _disk.ReadsPerSecond(i, seconds);
            v[at + 3] = _disk.WritesPerSecond(i, seconds);
            v[at + 4] = _disk.BusyPercent(i, seconds);
        }

        _load.Sample();
        v[_loadAt] = _load.Load1;
        v[_loadAt + 1] = _load.Load5;
        v[_loadAt + 2] = _load.Load15;
        v[_loadAt + 3] = _load.Runnable;

        if (_tcpExt.Sample())
        {
            v[_tcpAt] = _tcpExt.ListenOverflows;
            v[_tcpAt + 1] = _tcpExt.ListenDrops;
            v[_tcpAt + 2] = _tcpExt.ReqQFullDrops;
        }
        else
        {
            v.Slice(_tcpAt, 3).Fill(double.NaN);
        }

        if (_target is not null)
        {
            var p = _target.Sample(seconds);
            v[_processAt] = p is null ? double.NaN : p.Pid;
            v[_processAt + 1] = p is null ? double.NaN : p.CpuPercent;
            v[_processAt + 2] = p is null ? double.NaN : p.RssMiB;
            v[_processAt + 3] = p is null ? double.NaN : p.Fds;
            v[_processAt + 4] = p is null ? double.NaN : p.Threads;
        }

        if (_sockets is not null && --_socketCountdown > 0)
        {
            v.Slice(_socketsAt, Values.Length - _socketsAt).Fill(double.NaN);
        }
        else if (_sockets is not null)
        {
            // The budget is a share of a core, so the dump's cost is this thread's CPU time (the kernel's walk of the
            // sockets runs inside our recv/read calls). Wall time also counts waiting for a core and GC pauses: with
            // three busy loops on this 2-core machine a dump of 5,800 sockets took 10-34 ms of wall time for 5 ms of
            // CPU, so the sockets went unsampled for many intervals exactly when the machine was busy.
            // Wall time only where the thread clock is unavailable.
            var cpuStarted = Native.ThreadCpuSeconds();
            var dumpStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            _sockets.Sample();
            var cpuSeconds = Native.ThreadCpuSeconds() - cpuStarted;
            AdaptSocketCadence(double.IsNaN(cpuSeconds) ? System.Diagnostics.Stopwatch.GetElapsedTime(dumpStarted).TotalSeconds
                : cpuSeconds, seconds);
            var at = _socketsAt;
            for (var s = 0; s < TcpStates.Count; s++) v[at++] = _sockets.States[s];
            v[at++] = _sockets.AcceptQueue;
            v[at++] = _sockets.RecvQSum;
            v[at++] = _sockets.RecvQMax;
            v[at++] = _sockets.SendQSum;
            v[at++] = _sockets.SendQMax;
            v[at++] = _sockets.PeerSockets;
            v[at++] = _sockets.PeerRecvQSum;
            v[at++] = _sockets.PeerSendQSum;
            v[at] = _sockets.ListenBacklog;
        }
        return ready;
    }

    private void AdaptSocketCadence(double dumpSeconds, double intervalSeconds)
    {
        var every = 1;
        if (SocketBudgetPercent > 0 && intervalSeconds > 0)
            every = (int)Math.Clamp(Math.Ceiling(dumpSeconds / (intervalSeconds * SocketBudgetPercent / 100)), 1, 3600);
        // Change only on a clear difference, so the cadence does not flap around a boundary.
        if (every > _socketEvery * 2 || every * 2 < _socketEvery || (every == 1) != (_socketEvery == 1))
        {
            _socketEvery = every;
            Notice?.Invoke(every == 1
                ? "sockets: dumping every interval again"
                : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"sockets: one dump costs {dumpSeconds * 1000:0.0} ms of CPU ({_sockets!.States.Sum()} sockets on port " +
                        $"{_sockets.Port}); dumping every {every} intervals to stay within {SocketBudgetPercent}% of a core"));
        }
        _socketCountdown = _socketEvery;
    }

    /// <summary>A device name made safe for a dotted metric path (Graphite splits on dots).</summary>
    public static string MetricName(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] is '-' or '_')) chars[i] = '_';
        return new string(chars);
    }

    private int Add(string prefix, params string[] names)
    {
        var at = _columns.Count;
        foreach (var n in names) _columns.Add(prefix + "." + n);
        return at;
    }

    public void Dispose()
    {
        _cpu.Dispose();
        _mem.Dispose();
        _net.Dispose();
        _disk.Dispose();
        _load.Dispose();
        _tcpExt.Dispose();
        _sockets?.Dispose();
        _target?.Dispose();
    }
}
