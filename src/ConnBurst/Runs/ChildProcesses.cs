using System.Text.RegularExpressions;
using ConnBurst.Common;

namespace ConnBurst.Runs;

/// <summary>
/// The processes the demo starts (this same program: serve mqtt, monitor), each a <see cref="ChildProcess"/> whose output
/// goes to its own log file, all stopped at the end: SIGINT first (they write their results and exit), then a kill of
/// the whole tree after a grace period. Also hooked to process exit, so SIGTERM or an unhandled failure leaves nothing
/// behind either.
/// </summary>
internal sealed partial class ChildProcesses : IAsyncDisposable
{
    private readonly List<ChildProcess> _started = new();
    private readonly Lock _gate = new();
    private readonly string _logDir;

    public ChildProcesses(string logDir)
    {
        _logDir = logDir;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    public IReadOnlyList<int> Pids { get { lock (_gate) return _started.Select(p => p.Pid).ToList(); } }

    /// <summary>Starts <c>connburst ARGS</c> and waits until it prints "listening on HOST:PORT"; returns the pid and port.</summary>
    public async Task<(int Pid, int Port)> StartListeningAsync(string name, IEnumerable<string> args, TimeSpan timeout,
        CancellationToken ct)
    {
        var log = new StreamWriter(Path.Combine(_logDir, name + ".log")) { AutoFlush = true };
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var child = ChildProcess.Start(SelfProcess.StartInfo(args), (line, _) =>
        {
            lock (log) log.WriteLine(line);
            if (ListeningLine().Match(line) is { Success: true } m)
                port.TrySetResult(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }, _ => port.TrySetException(new InvalidOperationException($"{name} exited before listening (see {_logDir}/{name}.log)")));
        lock (_gate) _started.Add(child);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            return (child.Pid, await port.Task.WaitAsync(cts.Token));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"{name} did not start listening within {timeout.TotalSeconds:0} s (see {_logDir}/{name}.log)");
        }
    }

    /// <summary>SIGINT to every child, then up to <paramref name="grace"/> for them to exit, then kill what is left.</summary>
    public async Task StopAllAsync(TimeSpan grace)
    {
        List<ChildProcess> all;
        lock (_gate) all = _started.ToList();
        await Task.WhenAll(all.Select(c => c.StopAsync(grace)));
    }

    private void KillAll()
    {
        lock (_gate) foreach (var c in _started) c.Kill();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAllAsync(TimeSpan.FromSeconds(10));
        lock (_gate) foreach (var c in _started) c.Dispose();
    }

    [GeneratedRegex(@"listening on (?:\[[^\]]+\]|[^\s:]+):(\d+)")]
    private static partial Regex ListeningLine();
}
