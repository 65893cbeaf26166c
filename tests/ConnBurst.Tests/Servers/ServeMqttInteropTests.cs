using ConnBurst.Pki;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tests.Tls;

namespace ConnBurst.Tests.Servers;

/// <summary>
/// <c>connburst serve mqtt</c> against mosquitto_pub, over both server TLS engines: the good client connects, every bad
/// one is refused and counted under its reason, the same reasons whichever engine runs.
/// </summary>
public class ServeMqttInteropTests
{
    private static string P(PkiManifest m, string rel) => m.PathOf(rel);

    /// <summary>The <c>--tls-engine</c> values every server behaviour test runs over.</summary>
    public static TheoryData<string> Engines() => new() { "openssl", "sslstream" };

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task MosquittoPubConnectsWithTheGoodCertAndEveryBadOneIsRefused(string engine)
    {
        var m = TestPki.Manifest;
        var ca = P(m, m.Ca.Cert);
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--tls-engine", engine);
        Assert.Contains($"tls-engine         {engine}", server.Process.Stdout);

        var good = await MosquittoPub.RunAsync(server.Port, ca, P(m, m.Client.Cert), P(m, m.Client.Key));
        Assert.True(good.ExitCode == 0, $"good client failed: {good.Output}\n{server.Process.Stderr}");

        foreach (var revoked in m.Revoked)
            Assert.NotEqual(0, (await MosquittoPub.RunAsync(server.Port, ca, P(m, revoked.Cert), P(m, revoked.Key))).ExitCode);
        Assert.NotEqual(0, (await MosquittoPub.RunAsync(server.Port, ca, P(m, m.Expired!.Cert), P(m, m.Expired.Key))).ExitCode);
        var f = TestPki.ForeignCa;
        Assert.NotEqual(0, (await MosquittoPub.RunAsync(server.Port, ca, P(f, f.Client.Cert), P(f, f.Client.Key))).ExitCode);
        Assert.NotEqual(0, (await MosquittoPub.RunAsync(server.Port, ca, null, null)).ExitCode);

        var result = await server.StopAsync();
        Assert.Equal(130, result.ExitCode);
        var final = result.Stdout.Split('\n').Single(l => l.StartsWith("final:", StringComparison.Ordinal));
        Assert.Contains("handshakes-ok=1 ", final);
        Assert.Contains("connacks=1 ", final);
        Assert.Contains($"revoked={m.Revoked.Count}", final);
        Assert.Contains("expired=1", final);
        Assert.Contains("wrong-ca=1", final);
        Assert.Contains("no-cert=1", final);
        Assert.True(File.Exists(result.LastLine), $"last line is not the results file: {result.LastLine}");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task ATamperedCrlIsRefusedAtStartUp(string engine)
    {
        using var dir = new TempDir();
        var m = TestPki.CopyTo(dir.Combine("pki"));
        CrlFiles.FlipLastSignatureByte(m.PathOf(m.Crl));
        var result = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "serve", "mqtt", "--pki", m.Directory, "--listen",
            $"127.0.0.1:{FreePort.Next()}",
            "--tls-engine", engine);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("signature does not verify", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task ReplacingTheCrlRevokesTheGoodClientWithoutARestart(string engine)
    {
        using var dir = new TempDir();
        var m = TestPki.CopyTo(dir.Combine("pki"));
        var ca = m.PathOf(m.Ca.Cert);
        using var server = await MqttServerProcess.StartAsync(m.Directory, "--tls-engine", engine);
        Assert.Equal(0, (await MosquittoPub.RunAsync(server.Port, ca, m.PathOf(m.Client.Cert), m.PathOf(m.Client.Key))).ExitCode);

        var client =
            System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(m.PathOf(m.Client.Cert)));
        CrlFiles.WriteWithSerial(m, client.SerialNumberBytes.ToArray());
        await server.Process.WaitForOutputAsync("crl.pem reloaded: ", TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, (await MosquittoPub.RunAsync(server.Port, ca, m.PathOf(m.Client.Cert), m.PathOf(m.Client.Key))).ExitCode);
        Assert.True(server.Process.Pid > 0 && !server.Process.HasExited);
        var result = await server.StopAsync();
        Assert.Contains("revoked=1", result.Stdout.Split('\n').Single(l => l.StartsWith("final:", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task TwoWorkersShareThePortAndTheParentSumsTheirCounters(string engine)
    {
        var m = TestPki.Manifest;
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--workers", "2", "--tls-engine", engine);
        Assert.Contains("2 workers (pids", server.Process.Stdout);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(0, (await MosquittoPub.RunAsync(server.Port, m.PathOf(m.Ca.Cert), m.PathOf(m.Client.Cert), m.PathOf(m.Client.Key)))
                .ExitCode);
        }
        Assert.NotEqual(0, (await MosquittoPub.RunAsync(server.Port, m.PathOf(m.Ca.Cert), null, null)).ExitCode);
        var result = await server.StopAsync();
        Assert.Equal(130, result.ExitCode);
        var final = result.Stdout.Split('\n').Single(l => l.StartsWith("final:", StringComparison.Ordinal));
        Assert.Contains("connacks=4 ", final);
        Assert.Contains("no-cert=1", final);
    }

    [Fact]
    public async Task WorkersStopWhenTheirParentIsKilled()
    {
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--workers", "2");
        var line = server.Process.Stdout.Split('\n').Single(l => l.Contains("workers (pids", StringComparison.Ordinal));
        var pids = System.Text.RegularExpressions.Regex.Match(line, @"pids ([0-9,]+)").Groups[1].Value
            .Split(',').Select(int.Parse).ToList();
        Assert.Equal(2, pids.Count);
        // SIGKILL: the parent can neither forward a signal nor wait; only the workers' end of stdin tells them.
        Assert.True(server.Process.Signal(9));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (pids.Any(p => Directory.Exists($"/proc/{p}")) && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.True(pids.All(p => !Directory.Exists($"/proc/{p}")),
            $"workers still running: {string.Join(',', pids.Where(p => Directory.Exists($"/proc/{p}")))}");
    }

    [Fact]
    public async Task AWorkerThatDiesIsRestartedAndItsCountsAreKept()
    {
        var m = TestPki.Manifest;
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--workers", "2");
        var line = server.Process.Stdout.Split('\n').Single(l => l.Contains("workers (pids", StringComparison.Ordinal));
        var pids = System.Text.RegularExpressions.Regex.Match(line, @"pids ([0-9,]+)").Groups[1].Value
            .Split(',').Select(int.Parse).ToList();
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(0, (await MosquittoPub.RunAsync(server.Port, m.PathOf(m.Ca.Cert), m.PathOf(m.Client.Cert), m.PathOf(m.Client.Key)))
                .ExitCode);
        }
        await server.Process.WaitForOutputAsync("connacks=4 ", TimeSpan.FromSeconds(20)); // both children have reported

        Assert.True(ConnBurst.Common.Signals.Send(pids[0], 9));
        await server.Process.WaitForOutputAsync($"worker 0 (pid {pids[0]}) exited (signal 9 (SIGKILL)); restarting it (restart 1)",
            TimeSpan.FromSeconds(20));
        // The port stays served meanwhile (the other child), and again by both once the new one listens.
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(0, (await MosquittoPub.RunAsync(server.Port, m.PathOf(m.Ca.Cert), m.PathOf(m.Client.Cert), m.PathOf(m.Client.Key)))
                .ExitCode);
        }

        var result = await server.StopAsync();
        Assert.Equal(130, result.ExitCode);
        Assert.Contains("connacks=8 ", result.Stdout.Split('\n').Single(l => l.StartsWith("final:", StringComparison.Ordinal)));
        Assert.Contains("worker restarts: 1", result.Stdout);
    }

    [Theory]
    [InlineData("--tls", "1.1", "not a TLS version")]
    [InlineData("--ciphers", "NOPE", "unknown cipher suite 'NOPE'")]
    [InlineData("--client-cert", "maybe", "not a client-certificate mode")]
    [InlineData("--tls-engine", "gnutls", "not a TLS engine")]
    [InlineData("--max-accept-rate", "-3", "--max-accept-rate")]
    [InlineData("--backlog", "0", "--backlog: 0 must be at least 1")]
    public async Task BadOptionsAreOneLineErrorsWithExitCode2(string option, string value, string message)
    {
        var result = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "serve", "mqtt", "--pki", TestPki.Dir, "--listen", "127.0.0.1:0",
            option,
            value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }
}
