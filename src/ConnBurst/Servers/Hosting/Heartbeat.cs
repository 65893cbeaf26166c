using System.Collections.Concurrent;
using System.Diagnostics;

using ConnBurst.Transport;

namespace ConnBurst.Servers.Hosting;

/// <summary>
/// The one clock for every connection (docs/DECISIONS.md, "One clock for every connection"; Kestrel's Heartbeat): a single thread ticks
/// every
/// <see cref="Interval"/>, walks the connection registry comparing stored deadlines, and runs the host's other periodic work
/// (CRL reload, counter print-outs). No connection owns a Timer or a Task.Delay. A tick that overruns its interval is logged.
/// </summary>
internal sealed class Heartbeat : IDisposable
{
    private readonly ConcurrentDictionary<long, ServerConnection> _connections;
    private readonly List<Action<long>> _onTick = [];
    private readonly Action<string>? _log;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new(false, spinCount: 0); // idle means blocked: no spin before each tick

    public TimeSpan Interval { get; }

    /// <summary>Connections aborted because a deadline passed, by reason text (e.g. "handshake-timeout", "keepalive").</summary>
    public ConcurrentDictionary<string, long> Timeouts { get; } = new();

    internal Heartbeat(ConcurrentDictionary<long, ServerConnection> connections, TimeSpan interval, Action<string>? log)
    {
        _connections = connections;
        Interval = interval;
        _log = log;
        _thread = new Thread(Run) { IsBackground = true, Name = "connburst-heartbeat" };
    }

    /// <summary>Adds periodic work run on the heartbeat thread (before it starts). Receives Environment.TickCount64.</summary>
    public void OnTick(Action<long> work)
    {
        lock (_onTick) _onTick.Add(work);
    }

    internal void Start() => _thread.Start();

    private void Run()
    {
        while (!_stop.Wait(Interval))
        {
            var started = Stopwatch.GetTimestamp();
            Tick(Environment.TickCount64);
            var took = Stopwatch.GetElapsedTime(started);
            if (took > Interval)
            {
                _log?.Invoke(
                    $"heartbeat tick took {took.TotalMilliseconds:0} ms (interval {Interval.TotalMilliseconds:0} ms) over " +
                    $"{_connections.Count} connections");
            }
        }
    }

    internal void Tick(long nowMs)
    {
        foreach (var (_, c) in _connections)
        {
            var reason = c.CheckTimeout(nowMs);
            // A timed-out connection stays registered until its read loop has cleaned up, which on a busy machine can
            // outlast a tick: it is counted by the tick that closed it, not by every tick that still finds it.
            if (reason is null || !c.Abort(reason)) continue;
            Timeouts.AddOrUpdate(reason, 1, (_, n) => n + 1);
        }
        Action<long>[] work;
        lock (_onTick) work = [.. _onTick];
        foreach (var w in work)
        {
            try { w(nowMs); }
            catch (Exception e) { _log?.Invoke($"heartbeat work failed: {e.Message}"); }
        }
    }

    public void Dispose()
    {
        _stop.Set();
        if (_thread.IsAlive) _thread.Join(TimeSpan.FromSeconds(5));
    }
}
