using System.Globalization;
using System.Net;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Load;

/// <summary>
/// <c>connburst burst</c> against the real Debian Mosquitto configured as the seed's server (mutual TLS 1.2,
/// require_certificate, a CRL of 10,000 revoked serials). Assertions are about behaviour, never speed: timeouts are
/// generous because this 2-core machine is shared. Each case runs over both client TLS engines.
/// </summary>
public sealed class BurstAgainstMosquittoTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Every case runs over both client TLS engines: their results must agree (docs/DECISIONS.md).</summary>
    public static TheoryData<string> Engines() => new() { "openssl", "sslstream" };

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task TwoThousandClientsAt200PerSecondAllConnectWithOrderedPercentiles(string engine)
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        var kernelBefore = KernelTcpCounters.Read();
        var (run, doc) = await BurstResults.RunAsync(RunTimeout, "--target", broker.Target, "--pki", TestPki.Dir, "--tls-engine", engine,
            "--clients", "2000",
            "--rate", "200", "--connect-timeout", "60s", "--interval", "2s", "--out", dir.Path);

        Assert.Equal("completed", doc.Outcome);
        Assert.Equal(2000, doc.Counts.Attempted);
        // On failure, the kernel's listen-overflow and SYN-cookie counters tell whether Mosquitto's accept queue
        // (a fixed backlog of 100 in 2.0.11) overflowed: see MosquittoBroker.
        Assert.True(doc.Counts.Failed.Count == 0 && doc.Counts.Connacks == 2000,
            $"connacks {doc.Counts.Connacks}, failures: {string.Join(", ", doc.Counts.Failed)}; " +
            $"{KernelTcpCounters.Read().DeltaSince(kernelBefore)}; mosquitto log: {broker.Log}\n{run}");
        foreach (var phase in new[] { "tcp", "tls", "connack", "total" })
        {
            Assert.Equal(2000, doc.Latency[phase].Count);
            BurstResults.AssertOrdered(doc.Latency[phase]);
        }
        // Latency from the due time includes everything from the actual start.
        Assert.True(doc.Latency["total"].Max >= doc.Latency["totalFromStart"].Min);
        Assert.NotEmpty(doc.Intervals);
        Assert.Equal(2000, doc.Intervals.Sum(i => i.Values["connacks"]));
        Assert.Equal("1.2", doc.Config["tls"]!["version"]!.GetValue<string>());
        Assert.Equal(10_000, doc.Config["crlRevokedCount"]!.GetValue<int>());
        Assert.NotNull(doc.Section("generator")?["schedulerLagMs"]);
        var files = doc.Section("files")!;
        Assert.True(File.Exists(files["intervals"]!.GetValue<string>()));
        Assert.True(File.Exists(files["hlog"]!.GetValue<string>()));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task RevokedCertificateMakesEveryAttemptATlsFailure(string engine)
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        var m = TestPki.Manifest;
        var (run, doc) = await BurstResults.RunAsync(RunTimeout, "--target", broker.Target, "--pki", TestPki.Dir, "--tls-engine", engine,
            "--cert", m.PathOf(m.Revoked[0].Cert),
            "--key", m.PathOf(m.Revoked[0].Key), "--clients", "40", "--rate", "40", "--connect-timeout", "60s", "--out", dir.Path);

        Assert.Equal(40, doc.Counts.Attempted);
        Assert.Equal(0, doc.Counts.Connacks);
        Assert.Equal(40, doc.Counts.Other["tlsFailed"]);
        Assert.All(doc.Counts.Failed.Keys, k => Assert.StartsWith("tls-", k));
        Assert.Equal(40, doc.Counts.Failed.Values.Sum());
        _ = run;
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task LingerMakesReconnectWavesWithMoreConnacksThanClients(string engine)
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        var (run, doc) = await BurstResults.RunAsync(RunTimeout, "--target", broker.Target, "--pki", TestPki.Dir, "--tls-engine", engine,
            "--clients", "100",
            "--rate", "100", "--linger", "2s", "--duration", "10s", "--connect-timeout", "30s", "--interval", "1s", "--out", dir.Path);

        Assert.Equal("completed", doc.Outcome);
        Assert.True(doc.Counts.Connacks > 100, $"connacks {doc.Counts.Connacks}: no reconnect wave\n{run}");
        Assert.True(doc.Counts.Other["disconnectedByClient"] >= 100, run.ToString());
        Assert.Equal(engine, doc.Config["tls"]!["engine"]!.GetValue<string>());
        Assert.Equal(doc.Counts.Attempted, doc.Counts.Connacks + doc.Counts.Failed.Values.Sum() + doc.Counts.Other["abandonedAtEnd"]);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task SourceIpsSpreadAThousandClientsOverFourAddressesAndCtrlCStillWritesResults(string engine)
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        using var burst = CliProcess.Start("burst", "--target", broker.Target, "--pki", TestPki.Dir, "--tls-engine", engine, "--clients",
            "1000", "--rate", "250",
            "--source-ips", "127.0.0.2-127.0.0.5", "--duration", "5m", "--connect-timeout", "60s", "--interval", "1s", "--out", dir.Path);
        await burst.WaitForOutputAsync("connected=1000/1000", TimeSpan.FromSeconds(90));

        // What the kernel sees: established connections to the broker's port, by local address (/proc/net/tcp).
        var byAddress = EstablishedTo(broker.Port).GroupBy(a => a.ToString()).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"], byAddress.Keys.Order().ToArray());
        Assert.All(byAddress.Values, n => Assert.Equal(250, n));

        burst.Interrupt();
        var result = await burst.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 130, result.ToString());
        var doc = ConnBurst.Results.ResultsFile.Read(result.LastLine);
        Assert.Equal("interrupted", doc.Outcome);
        Assert.Equal(1000, doc.Counts.Connacks);
        Assert.Equal(1000, doc.Counts.Connected);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task TwoWorkerProcessesShareTheClientsAndTheParentMergesThem(string engine)
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        var (run, doc) = await BurstResults.RunAsync(RunTimeout, "--target", broker.Target, "--pki", TestPki.Dir, "--tls-engine", engine,
            "--clients", "300",
            "--rate", "150", "--workers", "2", "--connect-timeout", "60s", "--interval", "1s", "--out", dir.Path);

        Assert.Equal(2, doc.Section("generator")!["workers"]!.GetValue<int>());
        Assert.Equal(300, doc.Counts.Attempted);
        Assert.True(doc.Counts.Connacks == 300, run.ToString());
        Assert.Equal(300, doc.Latency["total"].Count);
        BurstResults.AssertOrdered(doc.Latency["total"]);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task MonitorRecordsTheRunAndItsSummaryBecomesTheServerSection(string engine)
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        using var monitor = await ConnBurst.Tests.Monitor.MonitorProcess.StartAsync(dir,
            ["--pid", broker.Pid.ToString(CultureInfo.InvariantCulture)]);
        var (run, doc) = await BurstResults.RunAsync(RunTimeout, "--target", broker.Target, "--pki", TestPki.Dir, "--tls-engine", engine,
            "--clients", "30",
            "--rate", "30", "--connect-timeout", "60s", "--monitor", monitor.Endpoint.ToString(), "--out", dir.Combine("burst"));

        Assert.Equal(30, doc.Counts.Connacks);
        var server = doc.Section("server");
        Assert.True(server is not null, run.ToString());
        Assert.True(server!["cpu"]!["cores"]!.GetValue<int>() >= 1);
        Assert.Equal(monitor.Endpoint.ToString(), doc.Config["monitor"]!.GetValue<string>());
    }

    /// <summary>Local addresses of ESTABLISHED IPv4 connections whose remote port is <paramref name="port"/>.</summary>
    private static List<IPAddress> EstablishedTo(int port)
    {
        // /proc/net/tcp:  sl  local_address rem_address   st ...
        //                  0: 0200007F:8C3A 0100007F:22B8 01 ...   (hex, little-endian address; st 01 = ESTABLISHED)
        var result = new List<IPAddress>();
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 4 || f[3] != "01") continue;
            var remote = f[2].Split(':');
            if (int.Parse(remote[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) != port) continue;
            var local = uint.Parse(f[1].Split(':')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            result.Add(new IPAddress(local));
        }
        return result;
    }
}
