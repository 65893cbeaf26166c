using System.Diagnostics;
using ConnBurst.Common;
using ConnBurst.Load;

namespace ConnBurst.Tests.Load;

/// <summary>The shard arithmetic on its own: agents and workers split one plan, and the parts add up to it exactly.</summary>
public sealed class ShardTests
{
    [Theory]
    [InlineData(10, 3)]
    [InlineData(2, 5)]
    [InlineData(1000, 7)]
    [InlineData(0, 4)]
    public void PartsTakeEveryGlobalClientExactlyOnce(int clients, int n)
    {
        var seen = new List<int>();
        for (int i = 0; i < n; i++)
        {
            var part = new Shard(i, n);
            for (int k = 0; k < part.ClientsOf(clients); k++)
            {
                var global = part.GlobalClient(k);
                Assert.Equal(i, global % n);
                Assert.Equal(k, part.OrdinalOf(global));
                seen.Add(global);
            }
        }
        Assert.Equal(Enumerable.Range(0, clients), seen.Order());
    }

    [Fact]
    public void AWorkerInsideAnAgentIsAPartOfTheWholeRun()
    {
        // Agent 1 of 3, worker 1 of 2 inside it: the agent's clients are 1, 4, 7, 10...; the worker takes every other one.
        var part = new Shard(1, 3).Within(new Shard(1, 2));
        Assert.Equal(new Shard(4, 6), part);
        Assert.Equal([4, 10, 16], Enumerable.Range(0, part.ClientsOf(20)).Select(part.GlobalClient));
        Assert.Equal(new Shard(2, 5), Shard.Whole.Within(new Shard(2, 5)));
    }

    [Fact]
    public void TheUnionOfThePartsSchedulesIsTheGlobalOpenLoopSchedule()
    {
        const double rate = 300;
        const int clients = 900, n = 4;
        var f = Stopwatch.Frequency;
        long t0 = 1_000_000;
        var global = DueTimes(new Pacer(t0, rate, clients, f));
        var union = new List<long>();
        for (int i = 0; i < n; i++)
        {
            var part = new Shard(i, n);
            var partT0 = t0 + (long)(part.FirstDueSeconds(rate) * f);
            union.AddRange(DueTimes(new Pacer(partT0, part.RateOf(rate), part.ClientsOf(clients), f)));
        }
        union.Sort();
        Assert.Equal(global.Count, union.Count);
        // Equal to the tick, but for the rounding of each part's first slot.
        for (int k = 0; k < global.Count; k++) Assert.InRange(union[k] - global[k], -2, 2);
    }

    private static List<long> DueTimes(Pacer p)
    {
        var due = new List<DueAttempt>();
        p.TakeDue(long.MaxValue / 2, due);
        return due.Select(d => d.DueTicks).ToList();
    }

    [Theory]
    [InlineData("3/3", "I must be below N")]
    [InlineData("1/0", "N must be between 1 and 10000")]
    [InlineData("0/10001", "N must be between 1 and 10000")]
    [InlineData("-1/3", "is not I/N")]
    [InlineData("1", "is not I/N")]
    [InlineData("a/b", "is not I/N")]
    public void MalformedShardsAreRefusedWithTheReason(string text, string reason)
    {
        var e = Assert.Throws<InputException>(() => Shard.Parse(text));
        Assert.Contains(reason, e.Message);
        Assert.StartsWith("--shard", e.Message);
    }

    [Fact]
    public void StartTimeTakesRfc3339UtcOrAnOffsetFromNowAndRefusesThePast()
    {
        var now = new DateTimeOffset(2026, 12, 1, 22, 0, 0, TimeSpan.Zero);
        Assert.Equal(now.AddSeconds(30), StartTime.Parse("+30s", now));
        Assert.Equal(now.AddMinutes(5), StartTime.Parse("2026-12-01T22:05:00Z", now));
        Assert.Equal(now.AddMilliseconds(1500), StartTime.Parse("2026-12-01T22:00:01.5Z", now));
        Assert.Contains("has passed", Assert.Throws<InputException>(() => StartTime.Parse("2026-12-01T21:59:59Z", now)).Message);
        Assert.Contains("has passed", Assert.Throws<InputException>(() => StartTime.Parse("+0s", now)).Message);
        Assert.Contains("not an RFC 3339 UTC time", Assert.Throws<InputException>(() => StartTime.Parse("tomorrow", now)).Message);
        Assert.Contains("not an RFC 3339 UTC time",
            Assert.Throws<InputException>(() => StartTime.Parse("2026-12-01T23:00:00+01:00", now)).Message);
        Assert.Contains("not +DURATION", Assert.Throws<InputException>(() => StartTime.Parse("+soon", now)).Message);
    }
}
