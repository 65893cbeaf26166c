using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Load;

/// <summary>
/// The native engine's event loops (docs/DECISIONS.md, "Load: one event loop per core owns each native-engine connection
/// end to end") against real Mosquitto: a held client drops its TLS session after CONNACK
/// and must still keep alive and close cleanly,.
/// </summary>
public sealed class BurstEventLoopTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task AHeldClientKeepsExchangingPingsAfterItsTlsSessionWasDroppedAndClosesWithDisconnect()
    {
        using var broker = new MosquittoBroker(logConnections: true); // notices: "Client X disconnected." only after a DISCONNECT
        using var dir = new TempDir();
        var (run, doc) = await BurstResults.RunAsync(RunTimeout, "--target", broker.Target, "--pki", TestPki.Dir, "--tls-engine", "openssl",
            "--clients", "20",
            "--rate", "20", "--keepalive", "2s", "--duration", "9s", "--connect-timeout", "30s", "--out", dir.Path);

        Assert.Equal("completed", doc.Outcome);
        Assert.True(doc.Counts.Connacks == 20 && doc.Counts.Failed.Count == 0, run.ToString());
        // Held about 7 s with a 2 s keepalive: every client pings at least twice, and the broker answers each in time.
        Assert.True(doc.Counts.Other["pingreqs"] >= 40, $"pingreqs {doc.Counts.Other["pingreqs"]}\n{run}");
        Assert.True(doc.Counts.Other["pingresps"] >= 40, $"pingresps {doc.Counts.Other["pingresps"]}\n{run}");
        Assert.Equal(0, doc.Counts.Other["keepaliveLost"]);
        Assert.Equal(0, doc.Counts.Other["disconnectedByServer"]);
        Assert.Equal(20, doc.Counts.Other["disconnectedByClient"]);
        // The broker read our DISCONNECT (normal), not a dropped socket, from each of them.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (CountDisconnects(broker.Log) < 20 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.True(CountDisconnects(broker.Log) == 20, broker.Log);
    }

    private static int CountDisconnects(string log)
        => log.Split('\n').Count(l => l.Contains("disconnected.", StringComparison.Ordinal)
        && l.Contains("Client ", StringComparison.Ordinal));
}
