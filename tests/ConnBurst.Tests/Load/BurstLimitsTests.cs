using ConnBurst.Load;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Load;

/// <summary>The limits a run would hit are named before load starts, one line each, with what to change.</summary>
public sealed class BurstLimitsTests
{
    [Fact]
    public void AHeldRunWithTooFewWorkersIsToldHowManyItNeeds()
    {
        var w = BurstLimits.Check(40_000, 500, linger: null, workers: 1, fdLimit: 20_000, sources: 4, destinations: 1,
            ephemeralPorts: 28_232, memAvailableMiB: 20_000);
        Assert.Single(w);
        Assert.Contains("40000 connections per process against 20000 open files", w[0]);
        Assert.Contains("--workers 3 or more", w[0]);
    }

    [Fact]
    public void OneSourceAddressForMoreConnectionsThanPortsIsToldHowManyAddresses()
    {
        var w = BurstLimits.Check(50_000, 500, linger: null, workers: 4, fdLimit: 20_000, sources: 1, destinations: 1,
            ephemeralPorts: 28_232, memAvailableMiB: 20_000);
        Assert.Contains(w, x => x.Contains("ephemeral ports: give --source-ips with 2 or more addresses", StringComparison.Ordinal));
    }

    [Fact]
    public void HoldingMoreThanHalfThePortsOfOneAddressIsToldItsConnectsTurnSlow()
    {
        // 100,000 held over 4 addresses is 25,000 each: under the 90% hard limit, over the half where connect() slows.
        var w = BurstLimits.Check(100_000, 300, linger: null, workers: 6, fdLimit: 20_000, sources: 4, destinations: 1,
            ephemeralPorts: 28_232, memAvailableMiB: 20_000);
        Assert.Contains(w, x => x.Contains("more than half of the 28232 ephemeral ports", StringComparison.Ordinal)
            && x.Contains("--source-ips with 8 or more addresses", StringComparison.Ordinal));
        Assert.DoesNotContain(BurstLimits.Check(100_000, 300, null, 6, 20_000, 8, 1, 28_232, 20_000),
            x => x.Contains("ephemeral", StringComparison.Ordinal));
    }

    [Fact]
    public void ReconnectCyclesCountTheirTimeWait()
    {
        // 1,000 closes a second keep 60,000 ports in TIME_WAIT: too many for one address even though only ~5,000 are held.
        var w = BurstLimits.Check(5_000, 1_000, linger: TimeSpan.FromSeconds(4), workers: 1, fdLimit: 20_000, sources: 1, destinations: 1,
            ephemeralPorts: 28_232, memAvailableMiB: 20_000);
        Assert.Contains(w, x => x.Contains("TIME_WAIT", StringComparison.Ordinal)
            && x.Contains("3 or more addresses", StringComparison.Ordinal));
    }

    [Fact]
    public void MoreHeldConnectionsThanMemoryIsNamed()
    {
        var w = BurstLimits.Check(1_000_000, 1_000, linger: null, workers: 56, fdLimit: 20_000, sources: 40, destinations: 1,
            ephemeralPorts: 28_232, memAvailableMiB: 20_000);
        Assert.Contains(w, x => x.Contains("MiB available", StringComparison.Ordinal));
    }

    [Fact]
    public void AModestRunHearsNothing() =>
        Assert.Empty(BurstLimits.Check(1_000, 100, TimeSpan.FromSeconds(30), 1, 20_000, 1, 1, 28_232, 20_000));

    [Fact]
    public async Task BurstSaysItBeforeTheFirstAttempt()
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        var r = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "burst", "--target", broker.Target, "--pki", TestPki.Dir, "--clients",
            "40000", "--workers", "1",
            "--rate", "20", "--duration", "1s", "--out", dir.Path);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Single((r.Stdout + r.Stderr).Split('\n'), l => l.Contains("warning: limit:", StringComparison.Ordinal)
            && l.Contains("open files", StringComparison.Ordinal));
    }
}
