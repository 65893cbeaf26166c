using System.Diagnostics;
using System.Text;
using ConnBurst.Common;

namespace ConnBurst.Tests.Infrastructure;

/// <summary>
/// The real <c>connburst</c> executable as a child process (the product's own <see cref="ChildProcess"/>): the test
/// project references the CLI project, so connburst.dll sits beside the test assembly. Output is captured line by
/// line; every wait has a timeout, and Dispose kills the whole process tree so no test leaves a process behind.
/// </summary>
public sealed class CliProcess : IDisposable
{
    private readonly ChildProcess _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "connburst.dll");

    private CliProcess(IEnumerable<string> args, IDictionary<string, string>? env, string? workingDirectory,
        IReadOnlyList<string>? launcher = null)
    {
        // A launcher (such as `taskset -c 0`) runs dotnet itself, so every thread the runtime starts inherits its setting.
        var psi = new ProcessStartInfo(launcher is { Count: > 0 } ? launcher[0] : "dotnet")
        {
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        if (launcher is { Count: > 0 })
        {
            foreach (var a in launcher.Skip(1)) psi.ArgumentList.Add(a);
            psi.ArgumentList.Add("dotnet");
        }
        psi.ArgumentList.Add(DllPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Tests never touch the user's ~/.connburst.
        psi.Environment["CONNBURST_HOME"] = TestPki.HomeDir;
        psi.Environment["NO_COLOR"] = "1";
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        _process = ChildProcess.Start(psi, (line, stderr) => { lock (_gate) (stderr ? _stderr : _stdout).AppendLine(line); });
    }

    public static CliProcess Start(params string[] args) => new(args, null, null);

    public static CliProcess Start(IEnumerable<string> args, IDictionary<string, string>? env = null, string? workingDirectory = null,
        IReadOnlyList<string>? launcher = null) => new(args, env, workingDirectory, launcher);

    /// <summary>Runs to completion (or kills it at <paramref name="timeout"/>) and returns exit code and output.</summary>
    public static async Task<CliResult> RunAsync(TimeSpan timeout, params string[] args)
    {
        using var p = Start(args);
        return await p.WaitAsync(timeout);
    }

    public int Pid => _process.Pid;
    public bool HasExited => _process.HasExited;

    public string Stdout { get { lock (_gate) return _stdout.ToString(); } }
    public string Stderr { get { lock (_gate) return _stderr.ToString(); } }

    public async Task<CliResult> WaitAsync(TimeSpan timeout)
    {
        if (!await _process.WaitAsync(timeout))
        {
            Kill();
            throw new TimeoutException($"connburst did not exit within {timeout}: stdout={Stdout} stderr={Stderr}");
        }
        return new CliResult(_process.ExitCode, Stdout, Stderr);
    }

    /// <summary>Waits until stdout or stderr contains <paramref name="text"/>; fails if the process exits first.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Stdout.Contains(text, StringComparison.Ordinal) || Stderr.Contains(text, StringComparison.Ordinal)) return;
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"connburst exited ({_process.ExitCode}) before printing '{text}': stdout={Stdout} stderr={Stderr}");
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"connburst did not print '{text}' within {timeout}: stdout={Stdout} stderr={Stderr}");
    }

    /// <summary>Sends SIGINT, as Ctrl-C does, so the process can shut down cleanly.</summary>
    public void Interrupt() => Signal(2);

    /// <summary>Sends <paramref name="signal"/> to this process alone (not its children); true when it was delivered.</summary>
    public bool Signal(int signal) => _process.Signal(signal);

    public void Kill() => _process.Kill();

    public void Dispose() => _process.Dispose();
}

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The contract: every run prints its results file's path on the last line of stdout.</summary>
    public string LastLine => Stdout.TrimEnd().Split('\n').LastOrDefault()?.Trim() ?? "";

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
