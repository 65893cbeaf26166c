using ConnBurst.Tests.Chat;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tests.Servers;

namespace ConnBurst.Tests.Export;

/// <summary><c>serve mqtt|chat --graphite</c>: the server's own counters reach Debian's real carbon-cache (whisper files read
/// back).</summary>
public sealed class ServerGraphiteTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ServeMqttSendsAcceptsConnacksAndRefusalsByReasonToCarbon()
    {
        Assert.True(File.Exists(CarbonCache.Executable), "graphite-carbon is not installed: run ./test.sh as root");
        using var dir = new TempDir();
        using var carbon = await CarbonCache.StartAsync(dir);
        var root = "cbsrv" + Random.Shared.Next(100_000, 999_999);
        var from = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 2;
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir,
            "--graphite", $"127.0.0.1:{carbon.LinePort}", "--graphite-root", root, "--graphite-interval", "250ms");
        var prefix = System.Text.RegularExpressions.Regex.Match(server.Process.Stdout, @"as (\S+)\.\* every").Groups[1].Value;
        Assert.StartsWith(root + ".connburst.server.", prefix);
        Assert.EndsWith(".mqtt", prefix);

        var m = TestPki.Manifest;
        var ok = await MosquittoPub.RunAsync(server.Port, m.PathOf(m.Ca.Cert), m.PathOf(m.Client.Cert), m.PathOf(m.Client.Key));
        Assert.Equal(0, ok.ExitCode);
        var revoked = await MosquittoPub.RunAsync(server.Port, m.PathOf(m.Ca.Cert), m.PathOf(m.Revoked[0].Cert),
            m.PathOf(m.Revoked[0].Key));
        Assert.NotEqual(0, revoked.ExitCode);

        Assert.Contains(await WaitForLastAsync(carbon, $"{prefix}.connacks", from, v => v >= 1), v => v >= 1);
        Assert.Contains(await WaitForLastAsync(carbon, $"{prefix}.handshakesFailed.revoked", from, v => v >= 1), v => v >= 1);
        Assert.Contains(await WaitForLastAsync(carbon, $"{prefix}.accepted", from, v => v >= 2), v => v >= 2);
        Assert.All(await carbon.WaitForValuesAsync($"{prefix}.handshakesFailed.expired", from, Wait), v => Assert.Equal(0, v));
        Assert.Contains(await carbon.WaitForValuesAsync($"{prefix}.crlSerials", from, Wait), v => v == m.RevokedCount);
        Assert.NotEmpty(await carbon.WaitForValuesAsync($"{prefix}.current", from, Wait));
        var stopped = await server.StopAsync();
        Assert.Equal(130, stopped.ExitCode);
        var results = ConnBurst.Results.ResultsFile.Read(stopped.LastLine);
        Assert.Equal($"127.0.0.1:{carbon.LinePort} as {prefix}.* every 250ms", results.Config["graphite"]!.GetValue<string>());
    }

    [Fact]
    public async Task ServeMqttWithWorkersSendsTheWorkersSumOnce()
    {
        Assert.True(File.Exists(CarbonCache.Executable), "graphite-carbon is not installed: run ./test.sh as root");
        using var dir = new TempDir();
        using var carbon = await CarbonCache.StartAsync(dir);
        var root = "cbwrk" + Random.Shared.Next(100_000, 999_999);
        var from = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 2;
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir,
            "--workers", "2", "--graphite", $"127.0.0.1:{carbon.LinePort}", "--graphite-root", root, "--graphite-interval", "250ms");
        var prefix = System.Text.RegularExpressions.Regex.Match(server.Process.Stdout, @"as (\S+)\.\* every").Groups[1].Value;
        var m = TestPki.Manifest;
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(0, (await MosquittoPub.RunAsync(server.Port, m.PathOf(m.Ca.Cert), m.PathOf(m.Client.Cert), m.PathOf(m.Client.Key)))
                .ExitCode);
        }
        // Four CONNACKs spread over two workers' connections reach carbon as one series (the parent's sum), not one per worker.
        Assert.Contains(await WaitForLastAsync(carbon, $"{prefix}.connacks", from, v => v >= 4), v => v == 4);
        Assert.Contains(await carbon.WaitForValuesAsync($"{prefix}.crlSerials", from, Wait), v => v == m.RevokedCount);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(server.Process.Stdout, @"graphite 127\.0\.0\.1:\d+ as "));
        Assert.Equal(130, (await server.StopAsync()).ExitCode);
    }

    [Fact]
    public async Task ServeChatSendsSessionsAndMessagesToCarbon()
    {
        Assert.True(File.Exists(CarbonCache.Executable), "graphite-carbon is not installed: run ./test.sh as root");
        using var dir = new TempDir();
        using var carbon = await CarbonCache.StartAsync(dir);
        var from = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 2;
        var root = "cbchat" + Random.Shared.Next(100_000, 999_999);
        using var server = await ChatServerProcess.StartAsync("--graphite", $"127.0.0.1:{carbon.LinePort}", "--graphite-root", root,
            "--graphite-interval", "250ms");
        var prefix = System.Text.RegularExpressions.Regex.Match(server.Process.Stdout, @"as (\S+)\.\* every").Groups[1].Value;
        Assert.Equal($"{root}.connburst.server.{ConnBurst.Monitor.SystemSampler.MetricName(Environment.MachineName)}.chat", prefix);

        await using (var client = await RawChatClient.ConnectAsync(server.Port))
        {
            await client.SendAsync("JOIN lobby\n");
            await client.SendAsync("MSG lobby hello\n");
            await client.ReadUntilAsync("MSG");
            Assert.Contains(await WaitForLastAsync(carbon, $"{prefix}.current", from, v => v == 1), v => v == 1);
        }
        Assert.Contains(await WaitForLastAsync(carbon, $"{prefix}.messagesIn", from, v => v >= 1), v => v >= 1);
        Assert.Contains(await WaitForLastAsync(carbon, $"{prefix}.joins", from, v => v >= 1), v => v >= 1);
        Assert.Contains(await WaitForLastAsync(carbon, $"{prefix}.handshakesOk", from, v => v >= 1), v => v >= 1);
        Assert.NotEmpty(await carbon.WaitForValuesAsync($"{prefix}.errors.room-full", from, Wait));
        Assert.NotEmpty(await carbon.WaitForValuesAsync($"{prefix}.handshakesFailed.timeout", from, Wait));
        server.Process.Interrupt();
        Assert.Equal(130, (await server.Process.WaitAsync(Wait)).ExitCode);
    }

    /// <summary>Polls a metric until one stored value satisfies <paramref name="done"/> (counters arrive as running totals).</summary>
    private static async Task<List<double>> WaitForLastAsync(CarbonCache carbon, string metric, long from, Func<double, bool> done)
    {
        var deadline = DateTime.UtcNow + Wait;
        var values = await carbon.WaitForValuesAsync(metric, from, Wait);
        while (!values.Any(done) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            values = await carbon.WaitForValuesAsync(metric, from, Wait);
        }
        return values;
    }
}
