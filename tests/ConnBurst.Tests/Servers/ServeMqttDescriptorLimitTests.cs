using System.Diagnostics;
using System.Text.RegularExpressions;
using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Servers;

/// <summary>
/// <c>serve mqtt</c> at its descriptor limit: accept(2) fails with EMFILE, and the server must go on serving what it holds,
/// count the failures, and accept again once connections close. It once died there instead: its first error line dup(2)ed
/// stderr, and its stats line opened /proc, each needing the descriptor that was not there.
/// </summary>
public sealed partial class ServeMqttDescriptorLimitTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task AtItsDescriptorLimitTheServerCountsTheFailedAcceptsAndServesOn()
    {
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir);
        // Room for 30 more descriptors than the idle server has open: the burst's 60 held clients cannot all be accepted.
        var open = Directory.GetFiles($"/proc/{server.Process.Pid}/fd").Length;
        Prlimit(server.Process.Pid, open + 30);

        using var dir = new TempDir();
        using var burst = CliProcess.Start("burst", "--target", $"127.0.0.1:{server.Port}", "--pki", TestPki.Dir, "--clients", "60",
            "--rate", "30", "--connect-timeout", "2m", "--duration", "3m", "--interval", "1s", "--out", dir.Path);
        await server.Process.WaitForOutputAsync("accepts-failed=", Bound);
        Assert.Contains("accept failed", server.Process.Stderr);
        Assert.False(server.Process.HasExited, server.Process.Stderr);

        // The held clients leave; the ones waiting in the backlog are accepted, and a new client nobody here wrote connects.
        burst.Interrupt();
        var run = await burst.WaitAsync(Bound);
        Assert.True(File.Exists(run.LastLine), run.ToString());
        var held = ResultsFile.Read(run.LastLine).Counts.Connacks;
        Assert.InRange(held, 1, 59);
        await WaitUntilAsync(() => LiveLines().Matches(server.Process.Stdout).LastOrDefault()?.Groups["current"].Value == "0");
        var m = TestPki.Manifest;
        var pub = await MosquittoPub.RunAsync(server.Port, m.PathOf(m.Ca.Cert), m.PathOf(m.Client.Cert), m.PathOf(m.Client.Key));
        Assert.True(pub.ExitCode == 0, $"{pub.Output}\n{server.Process.Stderr}");

        var result = await server.StopAsync();
        Assert.Equal(130, result.ExitCode);
        var doc = ResultsFile.Read(result.LastLine);
        Assert.True(doc.Counts.Other["acceptsFailed"] > 0, result.ToString());
        Assert.True(doc.Counts.Connacks >= held + 1, result.ToString()); // a CONNACK the burst left unread at its end counts too
    }

    private static void Prlimit(int pid, int descriptors)
    {
        using var p = Process.Start("prlimit", ["--pid", pid.ToString(), $"--nofile={descriptors}:{descriptors}"]);
        Assert.True(p.WaitForExit(30_000) && p.ExitCode == 0, "prlimit failed");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(100);
        }
    }

    [GeneratedRegex(@"^\[\d+s\] .* current=(?<current>\d+)", RegexOptions.Multiline)]
    private static partial Regex LiveLines();
}
