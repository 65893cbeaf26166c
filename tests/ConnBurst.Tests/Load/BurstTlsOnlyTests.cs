using System.Text.RegularExpressions;
using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Load;

/// <summary>
/// <c>burst --tls-only</c>: each connect is TCP and a mutual-TLS handshake, nothing of MQTT. Against <c>openssl
/// s_server</c>, an independent peer that says how each connection ended (DONE: our close_notify), and against
/// Mosquitto, whose log names every client that sent CONNECT and every connection that closed without one.
/// </summary>
public sealed partial class BurstTlsOnlyTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    public static TheoryData<string, string> EnginesAndVersions() => new()
    {
        { "openssl", "1.2" }, { "sslstream", "1.2" }, { "openssl", "1.3" },
    };

    public static TheoryData<string> Engines() => new() { "openssl", "sslstream" };

    [Theory]
    [MemberData(nameof(EnginesAndVersions))]
    public async Task EveryHandshakeWithOpenSslSServerCompletesAndEndsWithACloseNotify(string engine, string tls)
    {
        // s_server serves one connection at a time: each client holds 100 ms and is due 200 ms after the one before,
        // and its reconnect is pushed past the run's end, so each client connects once.
        using var server = new OpenSslServer(tls, reverseLines: false);
        using var dir = new TempDir();
        var (run, doc) = await BurstResults.RunAsync(RunTimeout, "--target", $"127.0.0.1:{server.Port}", "--pki", TestPki.Dir,
            "--tls-only", "--tls-engine", engine, "--tls", tls, "--clients", "10", "--rate", "5", "--linger", "100ms",
            "--reconnect-delay", "1m", "--duration", "5s", "--connect-timeout", "30s", "--out", dir.Path);

        Assert.Equal("completed", doc.Outcome);
        Assert.Equal(10, doc.Counts.Attempted);
        Assert.True(doc.Counts.Connacks == 10 && doc.Counts.Failed.Count == 0,
            $"connacks {doc.Counts.Connacks}, failures: {string.Join(", ", doc.Counts.Failed)}\n{run}\ns_server:\n{server.Output}");
        Assert.Equal(0, doc.Counts.Other["abandonedAtEnd"]);
        foreach (var phase in new[] { "tcp", "tls", "total", "totalFromStart" })
        {
            Assert.Equal(10, doc.Latency[phase].Count);
            BurstResults.AssertOrdered(doc.Latency[phase]);
        }
        Assert.Equal(0, doc.Latency["connack"].Count); // nothing happens after the handshake, so nothing is timed there
        Assert.True(doc.Config["tlsOnly"]!.GetValue<bool>());
        Assert.Contains("TLS only: connacks count completed handshakes", run.Stdout);

        // s_server prints DONE when its client's close_notify arrives; a close without one is "unexpected eof" (the run's
        // TCP probe of the target, before load, is the one such close allowed).
        var done = await WaitForCountAsync(() => DoneLine().Count(server.Output), 10);
        Assert.True(done == 10, $"{done} DONE lines, want 10\ns_server:\n{server.Output}");
        Assert.True(Regex.Count(server.Output, "unexpected eof") <= 1, server.Output);
        Assert.Equal(0, doc.Counts.Other["pingreqs"]);
    }

    /// <summary>
    /// The native engine remembers a server chain it verified (docs/DECISIONS.md, "Tls: the generator remembers the server
    /// chains it verified; servers verify every client"). Under load, the server on the target port is replaced by one whose
    /// certificate is another CA's: the handshakes after the swap are checked in full at once and refused, and the new
    /// server sees no client finish its handshake.
    /// </summary>
    [Fact]
    public async Task AServerThatChangesItsCertificateMidRunIsCheckedInFullAtOnce()
    {
        var port = FreePort.Next();
        using var dir = new TempDir();
        var good = OpenSslServer.OnPort(port, "1.2", TestPki.Manifest, reverseLines: false);
        using var burst = CliProcess.Start("burst", "--target", $"127.0.0.1:{port}", "--pki", TestPki.Dir, "--tls-only",
            "--tls-engine", "openssl", "--tls", "1.2", "--clients", "10", "--rate", "5", "--linger", "100ms", "--duration", "2m",
            "--connect-timeout", "30s", "--interval", "1s", "--out", dir.Path);
        try
        {
            Assert.True(await WaitForCountAsync(() => DoneLine().Count(good.Output), 3) >= 3, $"{burst.Stdout}\n{good.Output}");
        }
        finally
        {
            good.Dispose();
        }
        using var swapped = OpenSslServer.OnPort(port, "1.2", TestPki.ForeignCa, reverseLines: false);
        await burst.WaitForOutputAsync("tlsFailed=", TimeSpan.FromSeconds(90)); // the live line counts failures by kind
        burst.Interrupt();
        var run = await burst.WaitAsync(RunTimeout);
        Assert.True(File.Exists(run.LastLine), run.ToString());
        var doc = ResultsFile.Read(run.LastLine);
        Assert.True(doc.Counts.Connacks >= 3, run.ToString());
        Assert.True(doc.Counts.Failed.TryGetValue("tls-server-cert-rejected", out var rejected) && rejected >= 1, run.ToString());
        Assert.Equal(0, DoneLine().Count(swapped.Output));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task LingerCyclesAgainstMosquittoCountHandshakesAndNeverSendConnectOrPing(string engine)
    {
        using var broker = new MosquittoBroker(logConnections: true);
        using var dir = new TempDir();
        // A 1 s keepalive inside a 2 s linger: in MQTT mode every connection would ping once before it closes.
        var (run, doc) = await BurstResults.RunAsync(RunTimeout, "--target", broker.Target, "--pki", TestPki.Dir, "--tls-only",
            "--tls-engine", engine, "--clients", "20", "--rate", "20", "--linger", "2s", "--keepalive", "1s", "--duration", "6s",
            "--connect-timeout", "30s", "--interval", "1s", "--out", dir.Path);

        Assert.Equal("completed", doc.Outcome);
        Assert.True(doc.Counts.Failed.Count == 0 && doc.Counts.Connacks > 20,
            $"connacks {doc.Counts.Connacks}, failures: {string.Join(", ", doc.Counts.Failed)}\n{run}\nmosquitto log: {broker.Log}");
        Assert.Equal(doc.Counts.Attempted, doc.Counts.Connacks + doc.Counts.Other["abandonedAtEnd"]);
        Assert.Equal(0, doc.Latency["connack"].Count);
        Assert.Equal(doc.Counts.Connacks, doc.Latency["total"].Count);
        Assert.Equal(0, doc.Counts.Other["pingreqs"]);
        // The live lines name what is counted: handshakes, not CONNACKs.
        Assert.Contains(" handshakes/s=", run.Stdout);
        Assert.DoesNotContain("connacks/s", run.Stdout);
        // Every connection was ours to end, at its linger's end or the run's; the server closed none.
        Assert.Equal(0, doc.Counts.Other["disconnectedByServer"]);
        Assert.Equal(doc.Counts.Connacks, doc.Counts.Other["disconnectedByClient"]);

        // Mosquitto's notices: "New client connected from ... as connburst-7" for a CONNECT (none may appear), and
        // "Client <unknown> closed its connection." for one that closed before any CONNECT (with a close_notify or without:
        // Mosquitto does not tell them apart; s_server's test above does).
        var closed = await WaitForCountAsync(() => Regex.Count(broker.Log, "Client <unknown> closed its connection"),
            doc.Counts.Connacks);
        Assert.DoesNotContain("New client connected", broker.Log);
        Assert.True(closed == doc.Counts.Connacks, $"{closed} clean closes for {doc.Counts.Connacks} handshakes: {broker.Log}");
    }

    [Fact]
    public async Task TwoWorkersRunTlsOnlyAndTheParentMergesTheirHandshakes()
    {
        using var broker = new MosquittoBroker(logConnections: true);
        using var dir = new TempDir();
        var (run, doc) = await BurstResults.RunAsync(RunTimeout, "--target", broker.Target, "--pki", TestPki.Dir, "--tls-only",
            "--clients", "100", "--rate", "100", "--workers", "2", "--connect-timeout", "60s", "--interval", "1s", "--out", dir.Path);

        Assert.Equal(2, doc.Section("generator")!["workers"]!.GetValue<int>());
        Assert.True(doc.Config["tlsOnly"]!.GetValue<bool>());
        Assert.Equal(100, doc.Counts.Attempted);
        Assert.True(doc.Counts.Connacks == 100 && doc.Counts.Failed.Count == 0,
            $"connacks {doc.Counts.Connacks}, failures: {string.Join(", ", doc.Counts.Failed)}\n{run}");
        Assert.Equal(100, doc.Latency["total"].Count);
        // Had a worker not been told, it would have sent CONNECT and timed its CONNACK.
        Assert.Equal(0, doc.Latency["connack"].Count);
        Assert.DoesNotContain("New client connected", broker.Log);
    }

    /// <summary>A peer's log arrives asynchronously: waits (at most 60 s, for a busy machine) until a count reaches what is
    /// expected.</summary>
    private static async Task<long> WaitForCountAsync(Func<long> count, long expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        long n;
        while ((n = count()) < expected && DateTime.UtcNow < deadline) await Task.Delay(100);
        return n;
    }

    [GeneratedRegex("^DONE$", RegexOptions.Multiline)]
    private static partial Regex DoneLine();
}
