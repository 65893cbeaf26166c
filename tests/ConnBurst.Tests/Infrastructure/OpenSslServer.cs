using System.Diagnostics;
using ConnBurst.Pki;

namespace ConnBurst.Tests.Infrastructure;

/// <summary>
/// <c>openssl s_server</c> as an independent TLS peer on a free loopback port: the manifest's server certificate,
/// a required client certificate checked against its CA and CRL, and <c>-rev</c> (each line comes back reversed), or
/// its default mode, which prints DONE for each connection its client ended with a close_notify and "unexpected eof"
/// for one that just closed. It serves one connection at a time (the next waits in the listen queue), which is all the
/// engine tests and paced TLS-only bursts with a short linger need. Dispose kills it.
/// </summary>
internal sealed class OpenSslServer : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _accepting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Text.StringBuilder _output = new();

    public int Port { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <param name="tls">"1.2" or "1.3".</param>
    /// <param name="server">Whose server certificate to present (default: the shared test PKI's).</param>
    /// <param name="reverseLines">Echo each line reversed (<c>-rev</c>); false: s_server's default mode.</param>
    /// <param name="extra">More s_server arguments (e.g. <c>-alpn mqtt</c>).</param>
    public OpenSslServer(string tls, PkiManifest? server = null, bool reverseLines = true, params string[] extra)
    {
        var m = TestPki.Manifest;
        var s = server ?? m;
        Port = FreePort.Next();
        var psi = new ProcessStartInfo("openssl") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            RedirectStandardInput = true };
        foreach (var a in new[]
                 {
                     "s_server", "-accept", $"127.0.0.1:{Port}", "-cert", s.PathOf(s.Server.Cert), "-key", s.PathOf(s.Server.Key),
                     "-CAfile", m.PathOf(m.Ca.Cert), "-Verify", "2", "-verify_return_error", "-CRL", m.PathOf(m.Crl), "-crl_check",
                         tls == "1.3" ? "-tls1_3" : "-tls1_2",
                 })
        {
            psi.ArgumentList.Add(a);
        }
        if (reverseLines) psi.ArgumentList.Add("-rev");
        foreach (var a in extra) psi.ArgumentList.Add(a);

        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start openssl s_server");
        _process.OutputDataReceived += (_, e) => Seen(e.Data);
        _process.ErrorDataReceived += (_, e) => Seen(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!_accepting.Task.Wait(TimeSpan.FromSeconds(20))) throw new TimeoutException($"openssl s_server did not start: {Output}");
    }

    private void Seen(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        if (line.StartsWith("ACCEPT", StringComparison.Ordinal)) _accepting.TrySetResult();
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(); _process.WaitForExit(5000); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
