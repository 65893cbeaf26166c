using System.Diagnostics;
using System.Text;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Chat;

/// <summary>The real <c>serve chat</c> process, driven by peers: openssl s_client, and hand-driven TLS clients.</summary>
public class ChatServerTests
{
    [Fact]
    public async Task StoppingTheServerWritesItsCountersAsAResultsDocument()
    {
        using var server = await ChatServerProcess.StartAsync();
        await using (var a = await RawChatClient.ConnectAsync(server.Port))
        {
            await a.SendAsync("JOIN lobby\nMSG lobby hello\n");
            await a.ReadUntilAsync("MSG ");
        }
        var result = await server.StopAsync();
        Assert.True(result.ExitCode == 130, result.ToString());
        var doc = ConnBurst.Results.ResultsFile.Read(result.LastLine);
        Assert.Equal("server", doc.Kind);
        Assert.Equal(1, doc.Counts.Connected);
        Assert.Equal(1, doc.Counts.Other["messagesIn"]);
        Assert.Equal(1, doc.Section("server")!["sessions"]!.GetValue<long>());
    }

    [Fact]
    public async Task OpensslSClientPipingJoinAndMsgReceivesTheBroadcast()
    {
        using var server = await ChatServerProcess.StartAsync();
        await using var watcher = await RawChatClient.ConnectAsync(server.Port);
        await watcher.SendAsync("JOIN interop\n");
        Assert.Equal("JOINED interop 1", await watcher.ReadLineAsync());

        var psi = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "s_client", "-quiet", "-connect", $"127.0.0.1:{server.Port}", "-CAfile",
            TestPki.PathOf(TestPki.Manifest.Ca.Cert), "-verify_return_error" })
        {
            psi.ArgumentList.Add(a);
        }
        using var openssl = Process.Start(psi)!;
        try
        {
            var stdout = new StringBuilder();
            openssl.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
            openssl.BeginOutputReadLine();
            openssl.BeginErrorReadLine();
            await openssl.StandardInput.WriteAsync("NICK ossl\nJOIN interop\nMSG interop hello from openssl\n");
            await openssl.StandardInput.FlushAsync();

            // The other member gets the broadcast with the openssl client's nick...
            Assert.Equal("MSG interop ossl hello from openssl", await watcher.ReadUntilAsync("MSG "));
            // ...and so does the sender itself.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < deadline && !Output().Contains("MSG interop ossl hello from openssl")) await Task.Delay(50);
            Assert.Contains("JOINED interop 2", Output());
            Assert.Contains("MSG interop ossl hello from openssl", Output());

            await openssl.StandardInput.WriteAsync("QUIT\n");
            await openssl.StandardInput.FlushAsync();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await openssl.WaitForExitAsync(exit.Token);
            Assert.Contains("BYE", Output());

            string Output() { lock (stdout) return stdout.ToString(); }
        }
        finally
        {
            if (!openssl.HasExited) openssl.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task AClientThatNeverHandshakesIsClosedAtTheHandshakeTimeoutAndCtrlCStopsTheServerCleanly()
    {
        using var server = await ChatServerProcess.StartAsync("--handshake-timeout", "1s");
        using var idle = new System.Net.Sockets.TcpClient();
        await idle.ConnectAsync("127.0.0.1", server.Port);
        var buffer = new byte[16];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        Assert.Equal(0, await idle.GetStream().ReadAsync(buffer, cts.Token)); // closed by the server, well before 15 s
        Assert.Equal(1, await server.WaitForCounterAsync("timeout", 1, TimeSpan.FromSeconds(60)));

        server.Process.Interrupt();
        var r = await server.Process.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(130, r.ExitCode);
        Assert.Contains("serve chat: stopped:", r.Stdout);
    }

    [Fact]
    public async Task MalformedInputGetsErrOrACloseAndTheOtherClientsKeepChatting()
    {
        using var server = await ChatServerProcess.StartAsync("--max-rooms-per-client", "8");
        await using var alice = await RawChatClient.ConnectAsync(server.Port);
        await using var bob = await RawChatClient.ConnectAsync(server.Port);
        await alice.SendAsync("JOIN calm\n");
        await alice.ReadUntilAsync("JOINED");
        await bob.SendAsync("JOIN calm\n");
        await bob.ReadUntilAsync("JOINED");

        var blob = new byte[4096];
        new Random(42).NextBytes(blob);
        blob[100] = 0;
        blob[4095] = (byte)'\n';
        var breakers = new (string Name, byte[] Bytes, string? Err)[]
        {
            ("1 MiB line", [.. Encoding.ASCII.GetBytes("MSG calm "), .. Enumerable.Repeat((byte)'a', 1 << 20), (byte)'\n'],
                "ERR line-too-long"),
            ("binary blob", blob, null), // ERR bad-utf8 / control-character / line-too-long, or a close
            ("unknown command", Encoding.ASCII.GetBytes("HELLO world\n"), "ERR unknown-command"),
            ("JOIN flood", Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 200).Select(i => $"JOIN flood{i}\n"))),
                "ERR too-many-rooms"),
        };
        var seq = 0;
        foreach (var (name, bytes, err) in breakers)
        {
            await using (var bad = await RawChatClient.ConnectAsync(server.Port))
            {
                await bad.SendAsync("JOIN calm\n");
                await bad.ReadUntilAsync("JOINED");
                await bad.SendAsync(bytes);
                var lines = await bad.ReadToCloseAsync(); // the server closes it: ReadToClose returns (bounded by the read timeout)
                var errs = lines.Where(l => l.StartsWith("ERR ", StringComparison.Ordinal)).ToList();
                if (err is not null && errs.Count > 0) Assert.StartsWith(err, errs[^1]);
                Assert.True(errs.Count <= 1, $"{name}: more than one ERR: {string.Join(" | ", errs)}");
            }
            // Everyone else keeps chatting: bob's message reaches alice (and bob).
            seq++;
            await bob.SendAsync($"MSG calm still here {seq}\n");
            Assert.EndsWith($"still here {seq}", await alice.ReadUntilAsync($"MSG calm "));
            Assert.EndsWith($"still here {seq}", await bob.ReadUntilAsync($"MSG calm "));
        }
        Assert.True(await server.WaitForCounterAsync("line-too-long", 1, TimeSpan.FromSeconds(60)) >= 1);
        Assert.Equal(1, await server.WaitForCounterAsync("unknown-command", 1, TimeSpan.FromSeconds(60)));
        Assert.Equal(1, await server.WaitForCounterAsync("too-many-rooms", 1, TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task ASlowReaderIsDroppedAndTheRoomIsNotStalled()
    {
        using var server = await ChatServerProcess.StartAsync("--send-queue", "1024");
        await using var sender = await RawChatClient.ConnectAsync(server.Port);
        await using var listener = await RawChatClient.ConnectAsync(server.Port);
        await using var sloth = await RawChatClient.ConnectAsync(server.Port);
        foreach (var c in new[] { sender, listener, sloth })
        {
            await c.SendAsync("JOIN busy\n");
            await c.ReadUntilAsync("JOINED");
        }
        // The sloth never reads again. 8,000 lines of 3 KB (24 MB) overflow its socket buffers (~4 MB) and then its
        // 1,024-line queue. The sender keeps at most 200 of its own messages unanswered, as a chat client would, so the
        // two members that do read are never the slow ones.
        const int count = 8000;
        var text = new string('z', 3000);
        var got = new int[2];
        var readers = new[] { sender, listener }.Select((c, k) => Task.Run(async () =>
        {
            while (Volatile.Read(ref got[k]) < count && await c.ReadLineAsync() is { } line)
                if (line.StartsWith("MSG busy ", StringComparison.Ordinal)) Interlocked.Increment(ref got[k]);
            return Volatile.Read(ref got[k]);
        })).ToArray();
        int[] received;
        try
        {
            var window = DateTime.UtcNow.AddSeconds(60);
            for (var i = 0; i < count; i++)
            {
                while (Volatile.Read(ref got[0]) < i - 200 && DateTime.UtcNow < window && !readers[0].IsCompleted) await Task.Delay(1);
                await sender.SendAsync($"MSG busy {text}\n");
            }
            received = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            throw new TimeoutException($"stalled at {got[0]}/{got[1]}: {server.Process.Stdout}", e);
        }
        Assert.Equal([count, count], received);
        Assert.Equal(1, await server.WaitForCounterAsync("slow-dropped", 1, TimeSpan.FromSeconds(60)));
    }
}
