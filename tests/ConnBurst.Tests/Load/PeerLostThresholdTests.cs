using System.Net;
using System.Net.Sockets;
using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Load;

/// <summary>
/// The server-gone rule counts each engine's own refusals, so its threshold is three seconds of that engine's own rate:
/// with 2 agents' shards and 2 workers each engine runs a quarter of the run's rate.
/// </summary>
public sealed class PeerLostThresholdTests
{
    [Fact]
    public async Task EachEngineGivesUpAfterThreeSecondsOfItsOwnRate()
    {
        using var dir = new TempDir();
        // Listening for the plan's probe only: it goes before the workers start, and every attempt is then refused.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var target = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        using var burst = CliProcess.Start("burst", "--target", target, "--pki", TestPki.Dir, "--clients", "8000", "--rate", "800",
            "--workers", "2", "--shard", "0/2", "--connect-timeout", "30s", "--interval", "1s", "--out", dir.Path);
        try
        {
            await burst.WaitForOutputAsync("burst: ", TimeSpan.FromSeconds(60)); // printed once the plan (and its probe) is done
        }
        finally
        {
            listener.Stop();
        }

        var run = await burst.WaitAsync(TimeSpan.FromMinutes(3));
        var doc = ResultsFile.Read(run.LastLine);
        Assert.True(doc.Outcome == "peer-lost", run.ToString());
        // Each engine runs 800 / (2 shards x 2 workers) = 200/s: it stops after 600 refusals in a row, where the run's
        // rate would have made it 2,400 (and the two workers 4,800). A tick's late look at the count adds a few.
        var refused = doc.Counts.Failed.GetValueOrDefault("tcp-refused");
        Assert.True(refused >= 2 * 600, $"refused {refused}\n{run}");
        Assert.True(refused < 2400, $"refused {refused}: more than one engine's threshold at the run's rate\n{run}");
    }
}
