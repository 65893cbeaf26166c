using System.Diagnostics;

namespace ConnBurst.Common;

/// <summary>
/// One child process, the one way this program (and its tests) run one: its stdout and stderr delivered line by line
/// in order, its stdin held open (a worker reads its end: closing it, or this process dying even by SIGKILL, tells the
/// worker to stop, see <see cref="ParentProcess"/>), signals by pid, and a stop that asks first (SIGINT, or closing
/// stdin) and kills the whole tree after a grace period. Burst workers, serve workers and demo's servers start this
/// program through <see cref="SelfProcess"/>; the tests start the built executable the same way.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;

    /// <summary>A line of output as it arrives: the line, and whether it came on stderr.</summary>
    public delegate void LineHandler(string line, bool stderr);

    private ChildProcess(Process process) => _process = process;

    /// <summary>
    /// Starts <paramref name="psi"/> (stdout, stderr and stdin redirected). <paramref name="onLine"/> hears every line, on
    /// one thread per stream; <paramref name="onExit"/> runs once the process has exited.
    /// </summary>
    public static ChildProcess Start(ProcessStartInfo psi, LineHandler? onLine = null, Action<ChildProcess>? onExit = null)
    {
        psi.RedirectStandardInput = psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) onLine?.Invoke(e.Data, false); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onLine?.Invoke(e.Data, true); };
        if (onExit is not null) process.Exited += (_, _) => onExit(child);
        if (!process.Start()) throw new InvalidOperationException($"cannot start {psi.FileName}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public int Pid => _process.Id;

    public bool HasExited
    {
        get
        {
            try { return _process.HasExited; }
            catch (InvalidOperationException) { return true; }
        }
    }

    /// <summary>How it ended, in words ("exit code 1", "killed by SIGKILL"); null while it runs.</summary>
    public string? ExitDescription => HasExited ? Signals.DescribeExit(_process.ExitCode) : null;

    public int ExitCode => _process.ExitCode;

    /// <summary>Writes one line to its stdin.</summary>
    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Closes its stdin: a worker takes it as "stop".</summary>
    public void CloseInput()
    {
        try { _process.StandardInput.Close(); }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException) { /* already gone */ }
    }

    /// <summary>Sends <paramref name="signal"/> to it alone (not its children); true when delivered.</summary>
    public bool Signal(int signal) => !HasExited && Signals.Send(Pid, signal);

    /// <summary>Waits for it to exit and for every line of its output to be delivered; false at the timeout.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try { await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return false; }
        _process.WaitForExit(); // returns once the output readers reached end of stream
        return true;
    }

    /// <summary>Asks it to stop with <paramref name="signal"/> (0: by closing its stdin), waits up to <paramref name="grace"/>, then kills
    /// its tree; true when it stopped by itself.</summary>
    public async Task<bool> StopAsync(TimeSpan grace, int signal = Signals.Interrupt)
    {
        if (signal == 0) CloseInput();
        else Signal(signal);
        if (await WaitAsync(grace).ConfigureAwait(false)) return true;
        Kill();
        return false;
    }

    /// <summary>Kills it and every process it started.</summary>
    public void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { /* already gone */ }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
