using System.Diagnostics;

namespace ConnBurst.Tests.Infrastructure;

/// <summary>
/// An independent TLS peer (openssl s_server, gnutls-serv) as a child process: its output gathered line by line, ready
/// once it prints the line that says it listens. Dispose kills it.
/// </summary>
internal abstract class PeerProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Text.StringBuilder _output = new();
    private readonly Func<string, bool> _isReady;

    public string Output { get { lock (_output) return _output.ToString(); } }

    protected PeerProcess(string program, IEnumerable<string> args, Func<string, bool> isReady, TimeSpan startTimeout)
    {
        _isReady = isReady;
        var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            RedirectStandardInput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {program}");
        _process.OutputDataReceived += (_, e) => Seen(e.Data);
        _process.ErrorDataReceived += (_, e) => Seen(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!_ready.Task.Wait(startTimeout)) throw new TimeoutException($"{program} did not start: {Output}");
    }

    private void Seen(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        if (_isReady(line)) _ready.TrySetResult();
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(); _process.WaitForExit(5000); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
