using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tests.Servers;

namespace ConnBurst.Tests.Load;

/// <summary>
/// <c>--resume</c> end to end: reconnect waves against <c>serve mqtt --resume</c> resume their sessions, and without the
/// option every connect is a full handshake (the seed's case). Counted by the native engine, which can tell.
/// </summary>
public sealed class BurstResumeTests
{
    [Fact]
    public async Task ReconnectWavesResumeOnlyWhenAsked()
    {
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir, "--resume");
        foreach (var resume in new[] { true, false })
        {
            using var dir = new TempDir();
            var args = new List<string>
            {
                "--target", $"127.0.0.1:{server.Port}", "--pki", TestPki.Dir, "--tls-engine", "openssl", "--clients", "20", "--rate", "40",
                "--linger", "1s", "--reconnect-delay", "200ms", "--duration", "5s", "--connect-timeout", "30s", "--out", dir.Path,
            };
            if (resume) args.Add("--resume");
            var (run, doc) = await BurstResults.RunAsync(TimeSpan.FromMinutes(2), [.. args]);
            var resumed = doc.Counts.Other["tlsResumed"];
            Assert.True(doc.Counts.Connacks > 20, $"no reconnect wave: {run}");
            if (resume)
                Assert.True(resumed >= doc.Counts.Connacks - 20 && resumed > 0, $"resumed {resumed} of {doc.Counts.Connacks}\n{run}");
            else Assert.Equal(0, resumed);
            Assert.Equal(resume, doc.Config["tls"]!["resumption"]!.GetValue<bool>());
        }
    }
}
