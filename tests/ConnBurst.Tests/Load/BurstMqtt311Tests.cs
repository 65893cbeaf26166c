using System.Text.RegularExpressions;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tests.Servers;

namespace ConnBurst.Tests.Load;

/// <summary>
/// <c>burst --mqtt 3.1.1</c> against the two servers: Mosquitto, which says in its log which protocol each client spoke,
/// and <c>serve mqtt</c> restricted to one version, which refuses the other, so a pass proves the wire version.
/// </summary>
public sealed partial class BurstMqtt311Tests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task TwoThousandThreeOneOneClientsConnectToMosquitto()
    {
        using var broker = new MosquittoBroker(logConnections: true);
        using var dir = new TempDir();
        var (run, doc) = await BurstResults.RunAsync(RunTimeout, "--target", broker.Target, "--pki", TestPki.Dir, "--mqtt", "3.1.1",
            "--clients", "2000",
            "--rate", "200", "--connect-timeout", "60s", "--out", dir.Path);

        Assert.True(doc.Counts.Failed.Count == 0 && doc.Counts.Connacks == 2000,
            $"connacks {doc.Counts.Connacks}, failures: {string.Join(", ", doc.Counts.Failed)}\n{run}");
        Assert.Equal("3.1.1", doc.Config["mqtt"]!.GetValue<string>());
        // Mosquitto's notice for each client: "New client connected from ... as connburst-7 (p2, c1, k60)"; p2 is 3.1.1, p5 is v5.
        var protocols = ProtocolField().Matches(broker.Log).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2000, protocols.Count);
        Assert.All(protocols, p => Assert.Equal("p2", p));
    }

    [Fact]
    public async Task TwoThousandThreeOneOneClientsConnectToAThreeOneOneOnlyServeMqtt()
    {
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--mqtt", "3.1.1");
        using var dir = new TempDir();
        var (run, doc) = await BurstResults.RunAsync(RunTimeout, "--target", $"127.0.0.1:{server.Port}", "--pki", TestPki.Dir, "--mqtt",
            "3.1.1",
            "--clients", "2000", "--rate", "200", "--connect-timeout", "60s", "--out", dir.Path);

        Assert.True(doc.Counts.Failed.Count == 0 && doc.Counts.Connacks == 2000,
            $"connacks {doc.Counts.Connacks}, failures: {string.Join(", ", doc.Counts.Failed)}\n{run}");
        var final = (await server.StopAsync()).Stdout.Split('\n').Single(l => l.StartsWith("final:", StringComparison.Ordinal));
        Assert.Contains("connacks=2000 ", final);
    }

    [Fact]
    public async Task AVersionTheServerRefusesIsNamedByTheReturnCodeOnTheWire()
    {
        using var v5Only = await MqttServerProcess.StartAsync(TestPki.Dir, "--mqtt", "5");
        using var dir = new TempDir();
        var (run, doc) = await BurstResults.RunAsync(RunTimeout, "--target", $"127.0.0.1:{v5Only.Port}", "--pki", TestPki.Dir, "--mqtt",
            "3.1.1",
            "--clients", "20", "--rate", "50", "--connect-timeout", "30s", "--out", dir.Path);

        Assert.Equal(0, doc.Counts.Connacks);
        // The 3.1.1 CONNACK's return code 1, "unacceptable protocol version", as the server sent it.
        Assert.True(doc.Counts.Failed.TryGetValue("connack-0x01", out var refused) && refused == 20, run.ToString());
    }

    [GeneratedRegex(@"New client connected from \S+ as \S+ \((p\d),")]
    private static partial Regex ProtocolField();
}
