using ConnBurst.Common;
using ConnBurst.Load;
using ConnBurst.Stages;

namespace ConnBurst.Tests.Load;

/// <summary>The staged plan (<c>--stages</c>): what parses, what is refused, and the schedule's arithmetic.</summary>
public sealed class StagePlanTests
{
    private const long Freq = 1_000_000;

    [Fact]
    public void ParsesRatesRampsAndDurationsAndSpellsThemBackTheSameWay()
    {
        var plan = StagePlan.Parse("100:2s, 50..250:4s,33.3333:500ms");
        Assert.Equal(3, plan.Count);
        Assert.Equal(new Stage(100, 100, TimeSpan.FromSeconds(2)), plan.Stages[0]);
        Assert.Equal(new Stage(50, 250, TimeSpan.FromSeconds(4)), plan.Stages[1]);
        Assert.Equal(6.5, plan.TotalSeconds, 9);
        Assert.Equal(200 + 600 + 33.3333 * 0.5, plan.TotalAttempts, 6);
        // Agents and workers compare plans by their spelling: it must parse back to the same plan.
        Assert.Equal(plan.ToString(), StagePlan.Parse(plan.ToString()).ToString());
        Assert.Equal(plan.Stages, StagePlan.Parse(plan.ToString()).Stages);
    }

    [Theory]
    [InlineData("", "give at least one stage")]
    [InlineData("100", "stage 1 '100': is not RATE:DURATION")]
    [InlineData("100:2s,0:2s", "stage 2 '0:2s': the rate must be positive")]
    [InlineData("-5:2s", "stage 1 '-5:2s': the rate must be positive")]
    [InlineData("abc:2s", "'abc' is not a rate")]
    [InlineData("100:0s", "the duration must be positive")]
    [InlineData("100:soon", "'soon' is not a duration")]
    [InlineData("0..0:2s", "offers nothing")]
    [InlineData("1..2..3:2s", "a ramp is FROM..TO")]
    public void ABadPlanIsOneLineNamingTheStage(string text, string expected)
    {
        var e = Assert.Throws<InputException>(() => StagePlan.Parse(text));
        Assert.StartsWith("--stages:", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ARampFromZeroIsAllowedAndItsSlotsInvertTheCumulativeCount()
    {
        var plan = StagePlan.Parse("0..200:2s,100:1s");
        Assert.Equal(300, plan.TotalAttempts, 9);
        foreach (var slot in new[] { 0.0, 1, 10, 99.5, 199, 250, 299 })
            Assert.Equal(slot, plan.AttemptsAt(plan.SecondsOf(slot)), 6);
        Assert.Equal(double.PositiveInfinity, plan.SecondsOf(300)); // the plan has no 301st attempt
        Assert.Equal(1, plan.StageAt(2.0));
        Assert.Equal(0, plan.StageAt(1.999));
    }

    [Fact]
    public void EveryPartOfTheRunTogetherIsExactlyTheWholeStagedSchedule()
    {
        // The whole run's due times, and the same plan split into 3 agents of 2 workers of 2 loops each: the union of the
        // parts' due times is the whole schedule, attempt for attempt, across a stage boundary and a ramp.
        var plan = StagePlan.Parse("50:1s,200..20:1s");
        var whole = DueTimes(plan, Shard.Whole, int.MaxValue);
        Assert.Equal((int)Math.Ceiling(plan.TotalAttempts), whole.Count);
        var parts = new List<long>();
        foreach (var (agent, worker, loop) in from a in Enumerable.Range(0, 3) from w in Enumerable.Range(0, 2)
                 from l in Enumerable.Range(0, 2) select (a, w, l))
        {
            parts.AddRange(DueTimes(plan, new Shard(agent, 3).Within(new Shard(worker, 2)).Within(new Shard(loop, 2)), int.MaxValue));
        }
        Assert.Equal(whole.Order(), parts.Order());
        // 50 attempts in the first second, and none due after the plan's end.
        Assert.Equal(50, whole.Count(t => t < Freq));
        Assert.True(whole.Max() < 2 * Freq);
    }

    [Fact]
    public void AConstantScheduleGivesTheSameDueTimesAsBefore()
    {
        var part = new Shard(1, 4);
        var staged = DueTimes(ArrivalSchedule.Constant(400), part, 50);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)Math.Ceiling((1 + 4.0 * i) / 400 * Freq - 1e-6)), staged);
    }

    [Fact]
    public void StagedClientsAreDerivedFromThePlanOrRefusedWhenTooFew()
    {
        var o = new BurstOptions { Stages = StagePlan.Parse("100:2s,200:2s"), Clients = 0 };
        Assert.Equal(600, o.StagedClients(0)); // without linger, one client per attempt
        var e = Assert.Throws<InputException>(() => o.StagedClients(250));
        Assert.Contains("run out in stage 2", e.Message);

        var cycling = o with { Linger = TimeSpan.FromSeconds(1), ConnectTimeout = TimeSpan.FromSeconds(2) };
        Assert.Equal(600, cycling.StagedClients(0)); // 200/s x (1s + 2s) = 600, capped at the plan's attempts
        Assert.Equal(200, cycling.StagedClients(200)); // 200/s x 1s of linger: just enough
        e = Assert.Throws<InputException>(() => cycling.StagedClients(150));
        Assert.Contains("cannot keep stage 2 (200:2s) on schedule", e.Message);
    }

    private static List<long> DueTimes(ArrivalSchedule schedule, Shard part, int clients)
    {
        var pacer = new Pacer(0, schedule, part, Math.Min(clients, 100_000), Freq);
        var due = new List<DueAttempt>();
        pacer.TakeDue(long.MaxValue - 1, due);
        return due.Select(d => d.DueTicks).ToList();
    }
}
