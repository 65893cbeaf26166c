using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tests.Servers;

namespace ConnBurst.Tests.Load;

/// <summary>
/// docs/DECISIONS.md, "Common: our own waits block at once": no busy-wait anywhere, idle means blocked. A burst holding idle clients and
/// the <c>serve mqtt</c> holding
/// them, each counted by perf (a tracepoint on the <c>sched_yield</c> system call, which a spin-then-block wait makes
/// tens of times each time it waits). Before the hand-offs stopped spinning, the burst made 65 a second (its snapshot
/// thread's take) and the server 13 (its heartbeat's wait).
/// </summary>
public sealed class IdleProcessesBlockTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task AHoldingBurstAndItsServerDoNotSpinWhileTheirClientsAreIdle()
    {
        using var server = await MqttServerProcess.StartAsync(TestPki.Dir);
        using var dir = new TempDir();
        // One-second snapshots and heartbeats: the waits that spun; a keepalive past the window, so nothing is sent.
        using var burst = CliProcess.Start("burst", "--target", $"127.0.0.1:{server.Port}", "--pki", TestPki.Dir, "--clients", "50",
            "--rate", "50", "--keepalive", "60s", "--duration", "40s", "--interval", "1s", "--out", dir.Path);
        await burst.WaitForOutputAsync("connected=50/50", TimeSpan.FromSeconds(60));
        // Past the ramp's last snapshot: the next one is printed.
        var seen = Snapshots(burst.Stdout);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Snapshots(burst.Stdout) <= seen && DateTime.UtcNow < deadline) await Task.Delay(50);

        var counts = await Task.WhenAll(CountSchedYieldAsync(burst.Pid), CountSchedYieldAsync(server.Process.Pid));

        Assert.True(!burst.HasExited && !server.Process.HasExited,
            $"burst:\n{burst.Stdout}{burst.Stderr}\nserver:\n{server.Process.Stdout}");
        // A few are the runtime's own (a thread-pool worker finishing an item); a spinning wait makes them by the hundred.
        Assert.True(counts[0] <= 5, $"the idle burst made {counts[0]} sched_yield calls in {Window.TotalSeconds} s");
        Assert.True(counts[1] <= 5, $"the idle server made {counts[1]} sched_yield calls in {Window.TotalSeconds} s");
        Assert.Contains("connected=50/50", burst.Stdout.Split('\n').Last(l => l.StartsWith("t=", StringComparison.Ordinal)));
    }

    private static int Snapshots(string stdout) => stdout.Split('\n').Count(l => l.StartsWith("t=", StringComparison.Ordinal));

    /// <summary>sched_yield calls of every thread of <paramref name="pid"/> over <see cref="Window"/>, by perf stat.</summary>
    private static async Task<long> CountSchedYieldAsync(int pid)
    {
        var r = await Tool.RunAsync("perf", ["stat", "-x,", "-e", "syscalls:sys_enter_sched_yield", "-p", pid.ToString(), "--", "sleep",
            Window.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)], new Dictionary<string, string>(),
            TimeSpan.FromSeconds(30));
        var line = r.Stderr.Split('\n').FirstOrDefault(l => l.Contains("sched_yield", StringComparison.Ordinal));
        Assert.True(r.ExitCode == 0 && line is not null && long.TryParse(line.Split(',')[0], out _), $"perf stat: {r}");
        return long.Parse(line!.Split(',')[0]);
    }
}
