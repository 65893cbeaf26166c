using System.Security.Cryptography.X509Certificates;
using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tests.Servers;
using ConnBurst.Tests.Tls;

namespace ConnBurst.Tests.Load;

/// <summary>What changes under a running burst: the server's CRL, and the network between them (a partition).</summary>
public sealed class BurstUnderChangeTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ACrlReplacedUnderLoadDropsNoHeldConnectionAndRefusesTheNextHandshakes()
    {
        using var dir = new TempDir();
        var m = TestPki.CopyTo(dir.Combine("pki"));
        using var server = await MqttServerProcess.StartAsync(m.Directory);
        // 60 clients, each holding 6 s then reconnecting: the CRL is swapped once 40 are held.
        using var burst = CliProcess.Start("burst", "--target", $"127.0.0.1:{server.Port}", "--pki", m.Directory, "--clients", "60",
            "--rate", "20",
            "--linger", "6s", "--duration", "30s", "--timeout", "10s", "--snapshot", "1s", "--results", dir.Combine("burst"));
        await burst.WaitForOutputAsync("connected", RunTimeout);
        await Journals.WaitForAsync(dir.Combine("burst"), i => i.Values.GetValueOrDefault("connectedNow") >= 40, RunTimeout);

        var client = X509Certificate2.CreateFromPem(File.ReadAllText(m.PathOf(m.Client.Cert)));
        CrlFiles.WriteWithSerial(m, client.SerialNumberBytes.ToArray());
        await server.Process.WaitForOutputAsync("crl.pem reloaded: ", TimeSpan.FromSeconds(30));
        var reloadedAt = DateTimeOffset.UtcNow; // seen here no sooner than the server reloaded

        var run = await burst.WaitAsync(RunTimeout);
        Assert.True(run.ExitCode == 0, run.ToString());
        var doc = ResultsFile.Read(run.LastLine);
        // Held connections ended by our own linger, never by the server: the new CRL is for handshakes, not sessions.
        Assert.Equal(0, doc.Counts.Other["disconnectedByServer"]);
        Assert.True(doc.Counts.Other["disconnectedByClient"] >= 40, string.Join(", ", doc.Counts.Other));
        // Every handshake after the reload is refused as revoked: no interval that began after it (and after what was in
        // flight then could finish, within the connect timeout) has a CONNACK.
        Assert.True(doc.Counts.Failed.Where(kv => kv.Key.Contains("revoked", StringComparison.Ordinal)).Sum(kv => kv.Value) > 0,
            string.Join(", ", doc.Counts.Failed));
        var after = (reloadedAt - doc.StartedAt).TotalSeconds + 10;
        Assert.All(doc.Intervals.Where(i => i.Seconds - 1 > after), i => Assert.Equal(0, i.Values["connacks"]));
    }

    [Fact]
    public async Task APartitionTimesAttemptsOutLosesHeldConnectionsByKeepaliveAndTheRunRecovers()
    {
        using var hosts = new NamespaceHosts();
        using var dir = new TempDir();
        var port = FreePort.Next();
        using var serve = hosts.Connburst(hosts.Server,
            ["serve", "mqtt", "--pki", TestPki.Dir, "--bind", hosts.Server.Address, "--port",
            port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--report-interval", "1s", "--results", dir.Combine("server")]);
        await serve.WaitForOutputAsync($"listening on {hosts.Server.Address}:{port}", TimeSpan.FromSeconds(60));

        // Held clients ping every 2 s; new attempts keep coming (each client reconnects 5 s after connecting).
        using var burst = hosts.Connburst(hosts.Agent0,
            ["burst", "--target", $"{hosts.Server.Address}:{port}", "--server-name", "localhost", "--pki", TestPki.Dir,
            "--clients", "60", "--rate", "20", "--linger", "5s", "--keepalive", "2s", "--timeout", "3s", "--duration", "40s", "--snapshot",
                "1s",
            "--source-ips", hosts.Agent0.SourceIps, "--results", dir.Combine("burst")]);
        await burst.WaitForOutputAsync("connected", RunTimeout);
        await Journals.WaitForAsync(dir.Combine("burst"), i => i.Values.GetValueOrDefault("connectedNow") > 0, RunTimeout);
        // The partition lasts until two intervals have timed-out attempts: past the 3 s timeout, and past a keepalive's
        // PINGREQ (every 2 s) and its 1 s wait for the PINGRESP.
        using (hosts.Drop(hosts.Server, hosts.Agent0.Addresses, port))
            await Journals.WaitForAsync(dir.Combine("burst"), i => i.Values.GetValueOrDefault("timedOut") > 0, RunTimeout, count: 2);

        var run = await burst.WaitAsync(RunTimeout);
        Assert.True(run.ExitCode == 0, run.ToString());
        var doc = ResultsFile.Read(run.LastLine);
        Assert.Equal("completed", doc.Outcome);
        Assert.True(doc.Counts.Other["timedOut"] > 0, string.Join(", ", doc.Counts.Failed));
        Assert.True(doc.Counts.Other["keepaliveLost"] > 0, string.Join(", ", doc.Counts.Other));
        Assert.Contains(doc.Intervals, i => i.Values["connacks"] == 0 && i.Values["attempted"] > 0);
        Assert.True(doc.Intervals.TakeLast(4).Sum(i => i.Values["connacks"]) > 0, "no CONNACK after the partition healed");
    }
}
