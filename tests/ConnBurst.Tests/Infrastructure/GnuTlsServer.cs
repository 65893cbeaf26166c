using System.Diagnostics;

namespace ConnBurst.Tests.Infrastructure;

/// <summary>
/// GnuTLS's <c>gnutls-serv</c> (Debian's gnutls-bin) as an independent TLS peer on a free port: the shared test PKI's
/// server certificate, a client certificate required and verified against the test CA, one TLS version. It serves
/// connections side by side and, in TLS 1.3, sends session tickets unless told <c>--noticket</c>. Dispose kills it.
/// </summary>
internal sealed class GnuTlsServer : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Text.StringBuilder _output = new();

    public int Port { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <param name="tls">"1.2" or "1.3".</param>
    /// <param name="tickets">False: no session tickets (a TLS 1.3 server that says nothing after the handshake).</param>
    public GnuTlsServer(string tls, bool tickets = true)
    {
        var m = TestPki.Manifest;
        Port = FreePort.Next();
        var psi = new ProcessStartInfo("gnutls-serv") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            RedirectStandardInput = true };
        foreach (var a in new[]
                 {
                     "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--x509certfile", m.PathOf(m.Server.Cert),
                     "--x509keyfile", m.PathOf(m.Server.Key), "--x509cafile", m.PathOf(m.Ca.Cert), "--require-client-cert",
                     "--verify-client-cert", "--priority", $"NORMAL:-VERS-ALL:+VERS-TLS{tls}",
                 })
        {
            psi.ArgumentList.Add(a);
        }
        if (!tickets) psi.ArgumentList.Add("--noticket");

        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start gnutls-serv");
        _process.OutputDataReceived += (_, e) => Seen(e.Data);
        _process.ErrorDataReceived += (_, e) => Seen(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!_listening.Task.Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException($"gnutls-serv did not start: {Output}");
    }

    private void Seen(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        if (line.Contains("listening", StringComparison.OrdinalIgnoreCase)) _listening.TrySetResult();
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(); _process.WaitForExit(5000); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
