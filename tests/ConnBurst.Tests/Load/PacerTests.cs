using ConnBurst.Load;

namespace ConnBurst.Tests.Load;

/// <summary>The open-loop pacer on a fake clock: timestamps are plain numbers here (1 tick = 1 µs).</summary>
public sealed class PacerTests
{
    private const long Freq = 1_000_000;

    [Fact]
    public void FirstWaveAttemptIsDueAtExactlyT0PlusIOverRate()
    {
        var p = new Pacer(t0: 5_000, rate: 200, firstWave: 1000, Freq);
        var due = new List<DueAttempt>();
        p.TakeDue(5_000 + 10 * Freq, due); // a late caller gets everything due, all at once
        Assert.Equal(1000, due.Count);
        for (int i = 0; i < due.Count; i++)
        {
            Assert.Equal(i, due[i].Client);
            Assert.Equal(5_000 + i * Freq / 200, due[i].DueTicks);
        }
    }

    [Fact]
    public void EachTickReleasesOnlyWhatIsDueAndNothingEarly()
    {
        var p = new Pacer(t0: 0, rate: 1000, firstWave: 100, Freq);
        var due = new List<DueAttempt>();
        for (long now = 0; now < 100_000; now += 1000) // a 1 ms tick
        {
            due.Clear();
            p.TakeDue(now, due);
            Assert.All(due, a => Assert.True(a.DueTicks <= now));
            Assert.InRange(due.Count, 0, 1);
        }
        Assert.Equal(0, p.Pending);
    }

    [Fact]
    public void ALateSchedulerDoesNotMoveDueTimesSoLatencyIncludesTheStall()
    {
        var p = new Pacer(t0: 0, rate: 100, firstWave: 10, Freq);
        var due = new List<DueAttempt>();
        p.TakeDue(55_000, due); // stalled for 55 ms: attempts 0..5 are due
        Assert.Equal([0L, 10_000, 20_000, 30_000, 40_000, 50_000], due.Select(d => d.DueTicks).ToArray());
    }

    [Fact]
    public void ReconnectsArePacedAtTheSameRateAfterTheFirstWave()
    {
        var p = new Pacer(t0: 0, rate: 10, firstWave: 2, Freq); // 100 ms apart
        var due = new List<DueAttempt>();
        p.TakeDue(100_000, due);
        Assert.Equal(2, due.Count);
        // Three clients become ready at the same moment (a reconnect wave).
        p.EnqueueReconnect(0, 150_000);
        p.EnqueueReconnect(1, 150_000);
        p.EnqueueReconnect(5, 150_000);
        due.Clear();
        p.TakeDue(10 * Freq, due);
        Assert.Equal([200_000L, 300_000, 400_000], due.Select(d => d.DueTicks).ToArray());
    }

    [Fact]
    public void AReconnectReadyAfterAQuietSpellLeavesWhenReady()
    {
        var p = new Pacer(t0: 0, rate: 10, firstWave: 1, Freq);
        var due = new List<DueAttempt>();
        p.TakeDue(0, due);
        p.EnqueueReconnect(0, 5 * Freq);
        Assert.Equal(5 * Freq, p.NextDue());
        due.Clear();
        Assert.Equal(0, p.TakeDue(5 * Freq - 1, due));
        Assert.Equal(1, p.TakeDue(5 * Freq, due));
        Assert.Equal(5 * Freq, due[0].DueTicks);
    }

    [Fact]
    public void SystemTimeProviderTimestampsWorkAsPacerTicks()
    {
        var time = TimeProvider.System;
        var t0 = time.GetTimestamp();
        var p = new Pacer(t0, rate: 1_000_000, firstWave: 3, time.TimestampFrequency);
        var due = new List<DueAttempt>();
        Thread.Sleep(5);
        Assert.Equal(3, p.TakeDue(time.GetTimestamp(), due));
    }
}
