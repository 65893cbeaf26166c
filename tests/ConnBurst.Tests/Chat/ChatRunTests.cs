using System.Globalization;
using System.Text.Json.Nodes;
using ConnBurst.Reporting;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Results;

namespace ConnBurst.Tests.Chat;

/// <summary><c>connburst chat</c>, the seed's client tester, against a real <c>serve chat</c> process.</summary>
public class ChatRunTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);

    private static Task<CliResult> Chat(params string[] args) =>
        CliProcess.RunAsync(RunTimeout, ["chat", .. args]);

    [Fact]
    public async Task TheSeedsTls13RunWritesItsFilesWithExactly1000MessageSamplesAndNothingLost()
    {
        using var server = await ChatServerProcess.StartAsync();
        using var dir = new TempDir();
        // The seed's form (100 clients x 10 messages); DURATION shortened from 20 s to 4 s to keep the suite fast.
        var r = await Chat("127.0.0.1", server.Port.ToString(CultureInfo.InvariantCulture), "tls13", "100", "10", "4",
            "--pki", TestPki.Dir, "--results", dir.Combine("results"));
        Assert.True(r.ExitCode == 0, r.ToString());

        var txt = Assert.Single(Directory.GetFiles(dir.Combine("results"), "TLS_1_3_client_results_*.txt"));
        Assert.Matches(@"TLS_1_3_client_results_\d{8}_\d{6}\.txt$", txt);
        var png = Assert.Single(Directory.GetFiles(dir.Combine("results"), "TLS_1_3_client_performance_*.png"));
        Assert.InRange(new FileInfo(png).Length, 10_000, 5_000_000);
        using (var bitmap = SkiaSharp.SKBitmap.Decode(png))
        {
            Assert.InRange(bitmap.Width, 800, 4000);
            Assert.InRange(bitmap.Height, 500, 4000);
        }

        // The txt: exactly 1,000 round-trip samples with ordered percentiles.
        var row = File.ReadAllLines(txt).Single(l => l.TrimStart().StartsWith("round trip ", StringComparison.Ordinal));
        var cells = row.Trim()["round trip".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("1000", cells[0]);
        var v = cells[1..].Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray(); // min avg p50 p90 p95 p99 max
        Assert.True(v[0] > 0 && v[0] <= v[2] && v[2] <= v[3] && v[3] <= v[4] && v[4] <= v[5] && v[5] <= v[6], row);
        Assert.Contains("every member received every broadcast of its room", File.ReadAllText(txt));

        // The JSON (last line of stdout): every member got every broadcast, counted.
        Assert.Matches(@"TLS_1_3_client_results_\d{8}_\d{6}\.json$", r.LastLine);
        var doc = ResultsFile.Read(r.LastLine);
        Assert.Equal("chat", doc.Kind);
        Assert.Equal("completed", doc.Outcome);
        Assert.Equal(100, doc.Counts.Connected);
        Assert.Equal(1000, doc.Counts.Other["messagesSent"]);
        Assert.Equal(1000, doc.Latency["roundtrip"].Count);
        Assert.Equal(100 * 1000, doc.Counts.Other["deliveriesExpected"]);
        Assert.Equal(100 * 1000, doc.Counts.Other["deliveriesReceived"]);
        Assert.Equal(0, doc.Counts.Other["deliveriesLost"]);
        Assert.Equal(99 * 1000, doc.Latency["fanout"].Count);
        Assert.Equal(100, doc.Latency["tcp"].Count);
        Assert.Equal(100, doc.Latency["tls"].Count);
        Assert.True(doc.Section("chat")!["everyMemberReceivedEveryBroadcast"]!.GetValue<bool>());
        Assert.Equal(100, doc.Section("chat")!["negotiatedProtocols"]!["Tls13"]!.GetValue<int>());
        Assert.True(await server.WaitForCounterAsync("tls1.3", 101, TimeSpan.FromSeconds(20)) >= 101); // 100 + the warm-up
    }

    [Fact]
    public async Task ATls12RunNegotiatesTls12AsTheServerSeesIt()
    {
        using var server = await ChatServerProcess.StartAsync("--tls", "any");
        using var dir = new TempDir();
        var r = await Chat("127.0.0.1", server.Port.ToString(CultureInfo.InvariantCulture), "tls12", "100", "10", "4",
            "--pki", TestPki.Dir, "--results", dir.Path);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Single(Directory.GetFiles(dir.Path, "TLS_1_2_client_results_*.txt"));
        Assert.Single(Directory.GetFiles(dir.Path, "TLS_1_2_client_performance_*.png"));
        // The server's own count by negotiated protocol: 100 clients plus the one warm-up connection, all TLS 1.2.
        Assert.Equal(101, await server.WaitForCounterAsync("tls1.2", 101, TimeSpan.FromSeconds(20)));
        Assert.Equal(0, server.Counter("tls1.3"));
        Assert.Equal(0, ResultsFile.Read(r.LastLine).Counts.Other["deliveriesLost"]);
    }

    [Fact]
    public async Task CompareRunsTls12AndTls13BackToBackAndWritesOneTableAndOnePng()
    {
        using var server = await ChatServerProcess.StartAsync("--tls", "any");
        using var dir = new TempDir();
        var r = await Chat("127.0.0.1", server.Port.ToString(CultureInfo.InvariantCulture), "tls13", "20", "2", "1",
            "--pki", TestPki.Dir, "--results", dir.Path, "--compare", "tls12,tls13", "--rooms", "2");
        Assert.True(r.ExitCode == 0, r.ToString());
        var table = File.ReadAllText(Assert.Single(Directory.GetFiles(dir.Path, "TLS_compare_*.txt")));
        Assert.Contains("TLS 1.2: 2 RTT    TLS 1.3: 1 RTT", table);
        Assert.Contains("tls p50", table);
        using var bitmap = SkiaSharp.SKBitmap.Decode(Assert.Single(Directory.GetFiles(dir.Path, "TLS_compare_*.png")));
        Assert.True(bitmap.Width > 500);
        Assert.Single(Directory.GetFiles(dir.Path, "TLS_1_2_client_results_*.json"));
        Assert.Matches(@"TLS_1_3_client_results_.*\.json$", r.LastLine);
        Assert.True(server.Counter("tls1.2") >= 20 || await server.WaitForCounterAsync("tls1.2", 21, TimeSpan.FromSeconds(10)) >= 21);
    }

    [Fact]
    public async Task AnUnreachableServerIsNamedWithTheSeedsChecksAndTheResultsAreStillWritten()
    {
        using var dir = new TempDir();
        var port = FreePort.Next(); // nothing listens there
        var r = await Chat("127.0.0.1", port.ToString(CultureInfo.InvariantCulture), "tls13", "5", "1", "1", "--pki", TestPki.Dir,
            "--results", dir.Path);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"cannot reach the chat server at 127.0.0.1:{port} (connection refused)", r.Stderr);
        Assert.Contains("firewall", r.Stderr);
        Assert.Contains("same network", r.Stderr);
        var doc = ResultsFile.Read(r.LastLine);
        Assert.Equal("failed", doc.Outcome);
        Assert.Equal(1, doc.Counts.Failed["server-unreachable"]);
    }

    [Fact]
    public async Task AnUnreachableMonitorIsAWarningUnlessRequired()
    {
        using var server = await ChatServerProcess.StartAsync();
        using var dir = new TempDir();
        var monitorPort = FreePort.Next();
        var args = new[] { "127.0.0.1", server.Port.ToString(CultureInfo.InvariantCulture), "tls13", "5", "2", "1", "--pki", TestPki.Dir,
            "--results", dir.Path, "--monitor", $"127.0.0.1:{monitorPort}" };
        var warned = await Chat(args);
        Assert.True(warned.ExitCode == 0, warned.ToString());
        Assert.Contains($"WARNING cannot reach the server monitor at 127.0.0.1:{monitorPort}", warned.Stderr);
        Assert.Equal(0, ResultsFile.Read(warned.LastLine).Counts.Other["deliveriesLost"]);

        var required = await Chat([.. args, "--require-monitor"]);
        Assert.Equal(2, required.ExitCode);
        Assert.Contains($"cannot reach the server monitor at 127.0.0.1:{monitorPort}", required.Stderr);
        Assert.Single(required.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task WithAMonitorTheServersSummaryIsEmbeddedInTheResults()
    {
        using var server = await ChatServerProcess.StartAsync();
        using var dir = new TempDir();
        var monitorPort = FreePort.Next();
        using var monitor = CliProcess.Start("monitor", "--listen", $"127.0.0.1:{monitorPort}", "--results", dir.Combine("monitor"),
            "--interval", "250ms");
        await monitor.WaitForOutputAsync($"127.0.0.1:{monitorPort}", TimeSpan.FromSeconds(60));
        var r = await Chat("127.0.0.1", server.Port.ToString(CultureInfo.InvariantCulture), "tls13", "10", "3", "2", "--pki", TestPki.Dir,
            "--results", dir.Path, "--monitor", $"127.0.0.1:{monitorPort}");
        Assert.True(r.ExitCode == 0, r.ToString());
        var serverSection = ResultsFile.Read(r.LastLine).Section("server") as JsonObject;
        Assert.NotNull(serverSection);
        Assert.True(serverSection!["samples"]!.GetValue<int>() >= 1, serverSection.ToJsonString());
    }

    [Fact]
    public async Task AMonitorThatDiesMidRecordingIsSaidOnceAndTheResultsSayTheServerSideIsMissing()
    {
        using var server = await ChatServerProcess.StartAsync();
        using var dir = new TempDir();
        var monitorPort = FreePort.Next();
        using var monitor = CliProcess.Start("monitor", "--listen", $"127.0.0.1:{monitorPort}", "--results", dir.Combine("monitor"),
            "--interval", "250ms");
        await monitor.WaitForOutputAsync($"127.0.0.1:{monitorPort}", TimeSpan.FromSeconds(60));
        // Both TLS versions in one series: the second run's START must not warn again.
        using var chat = CliProcess.Start("chat", "127.0.0.1", server.Port.ToString(CultureInfo.InvariantCulture), "tls13", "10", "20",
            "4s",
            "--compare", "tls12,tls13", "--pki", TestPki.Dir, "--results", dir.Path, "--monitor", $"127.0.0.1:{monitorPort}");
        await chat.WaitForOutputAsync("sending 20 message(s)", TimeSpan.FromSeconds(60));
        monitor.Kill();

        var r = await chat.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Single((r.Stdout + r.Stderr).Split('\n'), l => l.Contains("going on without the server's side", StringComparison.Ordinal));
        var docs = Directory.GetFiles(dir.Path, "TLS_1_*_client_results_*.json").Select(ResultsFile.Read).ToList();
        Assert.Equal(2, docs.Count);
        Assert.All(docs, d => Assert.Equal(0, d.Counts.Other["deliveriesLost"]));
        Assert.All(docs, d => Assert.Null(d.Section("server")));
        Assert.All(docs, d => Assert.Contains("monitor", d.Section("serverMissing")!.GetValue<string>()));
    }

    [Fact]
    public async Task CtrlCStopsTheRunAndStillWritesWhatWasMeasured()
    {
        using var server = await ChatServerProcess.StartAsync();
        using var dir = new TempDir();
        using var chat = CliProcess.Start("chat", "127.0.0.1", server.Port.ToString(CultureInfo.InvariantCulture), "tls13", "10", "100",
            "60",
            "--pki", TestPki.Dir, "--results", dir.Path);
        await chat.WaitForOutputAsync("sending 100 message(s)", TimeSpan.FromSeconds(60));
        await Journals.WaitForAsync(dir.Path, i => i.Values.GetValueOrDefault("messagesSent") > 0, TimeSpan.FromSeconds(60));
        chat.Interrupt();
        var r = await chat.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, r.ExitCode);
        var doc = ResultsFile.Read(r.LastLine);
        Assert.Equal("interrupted", doc.Outcome);
        Assert.InRange(doc.Counts.Other["messagesSent"], 1, 999);
        Assert.Equal(doc.Counts.Other["messagesSent"], doc.Latency["roundtrip"].Count);
        Assert.Single(Directory.GetFiles(dir.Path, "TLS_1_3_client_performance_*.png"));
    }

    [Theory]
    [InlineData("tls14", "10", "TLS version 'tls14' is not tls12 or tls13")]
    [InlineData("tls13", "0", "CLIENTS 0 is out of range")]
    public async Task BadArgumentsAreOneLineAndExit2(string version, string clients, string message)
    {
        var r = await Chat("127.0.0.1", "8080", version, clients, "1", "1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}
