using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using ConnBurst.Pki;
using ConnBurst.Tests.Tls;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Servers;

/// <summary>
/// The native server engine as <c>openssl s_client</c> sees it: the benchmark CA named in CertificateRequest, TLS 1.3 and
/// 1.2 accepted for the good client, and a revoked client refused with the certificate_revoked alert (our CRL set, not
/// OpenSSL's CRL lookup, decides it).
/// </summary>
public class ServeMqttOpenSslClientTests
{
    private static Task<string> SClientAsync(int port, string version, string cert, string key) =>
        SClientAsync(TestPki.Manifest, port, version, cert, key);

    private static async Task<string> SClientAsync(PkiManifest m, int port, string version, string cert, string key, params string[] extra)
    {
        var psi = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "s_client", "-connect", $"127.0.0.1:{port}", version, "-CAfile", m.PathOf(m.Ca.Cert),
                     "-cert", m.PathOf(cert), "-key", m.PathOf(key) }.Concat(extra))
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var output = new System.Text.StringBuilder();
        string Output() { lock (output) return output.ToString(); }
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        // s_client prints its session summary once the handshake is done; a refusal during the handshake ends it first.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!p.HasExited && !Output().Contains("Verify return code", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        p.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(true); return "timeout"; }
        p.WaitForExit(); // the output events have all run
        return Output();
    }

    [Fact]
    public async Task WithOptionalClientCertsNoCertificateIsAcceptedButAForeignOneIsRefused()
    {
        var m = TestPki.Manifest;
        var f = TestPki.ForeignCa;
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--tls-engine", "openssl", "--client-cert", "optional");
        Assert.Equal(0, (await MosquittoPub.RunAsync(server.Port, m.PathOf(m.Ca.Cert), null, null)).ExitCode);
        Assert.NotEqual(0, (await MosquittoPub.RunAsync(server.Port, m.PathOf(m.Ca.Cert), f.PathOf(f.Client.Cert), f.PathOf(f.Client.Key)))
            .ExitCode);
        var result = await server.StopAsync();
        var final = result.Stdout.Split('\n').Single(l => l.StartsWith("final:", StringComparison.Ordinal));
        Assert.Contains("connacks=1 ", final);
        Assert.Contains("wrong-ca=1", final);
    }

    [Fact]
    public async Task SClientSeesTheCaListAndARevokedClientGetsTheCertificateRevokedAlert()
    {
        var m = TestPki.Manifest;
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--tls-engine", "openssl", "--tls", "any");

        var good13 = await SClientAsync(server.Port, "-tls1_3", m.Client.Cert, m.Client.Key);
        Assert.Contains("Acceptable client certificate CA names", good13);
        Assert.Contains("CN = ConnBurst Root CA", good13);
        Assert.Contains("TLSv1.3", good13);
        Assert.Contains("Verify return code: 0 (ok)", good13);
        Assert.DoesNotContain("alert", good13);

        var good12 = await SClientAsync(m, server.Port, "-tls1_2", m.Client.Cert, m.Client.Key, "-showcerts");
        // The chain built once from the trust store is the one libssl's auto-chain sent: the leaf, then the CA.
        Assert.Matches(@"(?m)^ 0 s:.*CN = localhost\r?\n(.|\n)*^ 1 s:.*CN = ConnBurst Root CA", good12);
        Assert.Contains("Protocol  : TLSv1.2", good12);
        Assert.DoesNotContain("alert", good12);

        var revoked = await SClientAsync(server.Port, "-tls1_2", m.Revoked[0].Cert, m.Revoked[0].Key);
        Assert.Contains("alert certificate revoked", revoked);
        var expired = await SClientAsync(server.Port, "-tls1_2", m.Expired!.Cert, m.Expired.Key);
        Assert.Contains("alert certificate expired", expired);
        // In TLS 1.3 the client learns of the refusal only after its Finished; the server counts it all the same.
        await SClientAsync(server.Port, "-tls1_3", m.Revoked[1].Cert, m.Revoked[1].Key);

        var result = await server.StopAsync();
        var final = result.Stdout.Split('\n').Single(l => l.StartsWith("final:", StringComparison.Ordinal));
        Assert.Contains("handshakes-ok=2 ", final);
        Assert.Contains("revoked=2", final);
        Assert.Contains("expired=1", final);
    }

    /// <summary>
    /// A client certificate from our CA by name whose signature is broken in its last byte: the server checks it every
    /// handshake, through whatever RSA method libcrypto has registered (docs/DECISIONS.md, "Tls: RSA keys bypass OpenSSL 3.0's
    /// key decoders"), and refuses it with decrypt_error, the alert OpenSSL gives a bad signature.
    /// </summary>
    [Fact]
    public async Task AClientCertificateWithABrokenSignatureIsRefused()
    {
        using var dir = new TempDir();
        var m = TestPki.Manifest;
        var der = dir.Combine("client.der");
        Tool.Run("openssl", "x509", "-in", m.PathOf(m.Client.Cert), "-outform", "DER", "-out", der);
        var bytes = File.ReadAllBytes(der);
        bytes[^1] ^= 0x01; // the signature is the certificate's last field
        File.WriteAllBytes(der, bytes);
        var broken = dir.Combine("client.pem");
        Tool.Run("openssl", "x509", "-inform", "DER", "-in", der, "-out", broken);
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--tls-engine", "openssl");

        var refused = await SClientAsync(server.Port, "-tls1_2", broken, m.Client.Key);
        Assert.Contains("alert decrypt error", refused);
        var good = await SClientAsync(server.Port, "-tls1_2", m.Client.Cert, m.Client.Key);
        Assert.Contains("Verify return code: 0 (ok)", good);

        var result = await server.StopAsync();
        var final = result.Stdout.Split('\n').Single(l => l.StartsWith("final:", StringComparison.Ordinal));
        Assert.Contains("handshakes-ok=1 ", final);
    }

    /// <summary>With <c>--resume</c> a resumed session skips certificate verification; the CRL in force must still refuse it.</summary>
    [Fact]
    public async Task AResumedSessionOfANowRevokedClientIsRefused()
    {
        using var dir = new TempDir();
        var m = TestPki.CopyTo(dir.Combine("pki"));
        var session = dir.Combine("session.pem");
        using var server = await MqttServerProcess.StartAsync(m.Directory, "--tls-engine", "openssl", "--resume");
        Assert.Contains("New, TLSv1.2", await SClientAsync(m, server.Port, "-tls1_2", m.Client.Cert, m.Client.Key, "-sess_out", session));
        Assert.Contains("Reused, TLSv1.2", await SClientAsync(m, server.Port, "-tls1_2", m.Client.Cert, m.Client.Key, "-sess_in", session));

        var client = X509Certificate2.CreateFromPem(File.ReadAllText(m.PathOf(m.Client.Cert)));
        CrlFiles.WriteWithSerial(m, client.SerialNumberBytes.ToArray());
        await server.Process.WaitForOutputAsync("crl.pem reloaded: ", TimeSpan.FromSeconds(30));
        await SClientAsync(m, server.Port, "-tls1_2", m.Client.Cert, m.Client.Key, "-sess_in", session);

        var result = await server.StopAsync();
        var final = result.Stdout.Split('\n').Single(l => l.StartsWith("final:", StringComparison.Ordinal));
        Assert.Contains("handshakes-ok=2 ", final);
        Assert.Contains("revoked=1", final);
    }
}
