using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace ConnBurst.Runs;

/// <summary>
/// The processes the demo starts (this same executable: serve mqtt, monitor), tracked by pid so every one is stopped
/// at the end: SIGINT first (they write their results and exit), then a kill of the whole tree after a grace period.
/// Also hooked to process exit, so SIGTERM or an unhandled failure leaves nothing behind either. Output goes to one
/// log file per child.
/// </summary>
internal sealed partial class ChildProcesses : IAsyncDisposable
{
    private readonly List<Process> _started = new();
    private readonly Lock _gate = new();
    private readonly string _logDir;

    public ChildProcesses(string logDir)
    {
        _logDir = logDir;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    public IReadOnlyList<int> Pids { get { lock (_gate) return _started.Select(p => p.Id).ToList(); } }

    /// <summary>Starts <c>connburst ARGS</c> and waits until it prints "listening on HOST:PORT"; returns the pid and port.</summary>
    public async Task<(int Pid, int Port)> StartListeningAsync(string name, IEnumerable<string> args, TimeSpan timeout, CancellationToken ct)
    {
        var psi = Common.SelfProcess.StartInfo(args);
        var log = new StreamWriter(Path.Combine(_logDir, name + ".log")) { AutoFlush = true };
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (log) log.WriteLine(line);
            if (ListeningLine().Match(line) is { Success: true } m) port.TrySetResult(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => port.TrySetException(new InvalidOperationException($"{name} exited before listening (see {_logDir}/{name}.log)"));
        if (!process.Start()) throw new InvalidOperationException($"cannot start {name}");
        lock (_gate) _started.Add(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            return (process.Id, await port.Task.WaitAsync(cts.Token));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new InvalidOperationException($"{name} did not start listening within {timeout.TotalSeconds:0} s (see {_logDir}/{name}.log)");
        }
    }

    /// <summary>SIGINT to every child, then up to <paramref name="grace"/> for them to exit, then kill what is left.</summary>
    public async Task StopAllAsync(TimeSpan grace)
    {
        List<Process> all;
        lock (_gate) all = _started.ToList();
        foreach (var p in all) Signal(p, 2);
        var deadline = DateTime.UtcNow + grace;
        foreach (var p in all)
        {
            var left = deadline - DateTime.UtcNow;
            try { if (left > TimeSpan.Zero) await p.WaitForExitAsync(new CancellationTokenSource(left).Token); }
            catch (OperationCanceledException) { }
            catch (InvalidOperationException) { }
        }
        KillAll();
    }

    private void KillAll()
    {
        lock (_gate)
        {
            foreach (var p in _started)
                try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
        }
    }

    private static void Signal(Process p, int signal)
    {
        try { if (!p.HasExited) _ = Common.Signals.Send(p.Id, signal); } catch (InvalidOperationException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAllAsync(TimeSpan.FromSeconds(10));
        lock (_gate) foreach (var p in _started) p.Dispose();
    }


    [GeneratedRegex(@"listening on (?:\[[^\]]+\]|[^\s:]+):(\d+)")]
    private static partial Regex ListeningLine();
}
