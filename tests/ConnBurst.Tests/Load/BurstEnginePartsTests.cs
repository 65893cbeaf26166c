using ConnBurst.Load;

namespace ConnBurst.Tests.Load;

/// <summary>BurstEngine's pure parts on their own: when a run stops, what the heartbeat does to a client, and its deadlines.</summary>
public sealed class BurstEnginePartsTests
{
    private static StopInputs Running(bool duration = false) =>
        new(Cancelled: false, Now: 100, End: duration ? 1_000 : long.MaxValue, DurationGiven: duration, ConsecutiveRefused: 0,
            PeerLostAfter: 20,
            ConnectedNow: 5, Cycles: false, Pending: 10, InFlight: 3);

    [Fact]
    public void ARunGoesOnWhileItHasWorkAndTime() => Assert.Null(StopRules.Decide(Running()));

    [Fact]
    public void CtrlCComesBeforeEveryOtherReason() =>
        Assert.Equal(BurstOutcomes.Interrupted, StopRules.Decide(Running(duration: true) with { Cancelled = true, Now = 5_000 }));

    [Fact]
    public void TheDurationEndsTheRun() => Assert.Equal(BurstOutcomes.Completed,
        StopRules.Decide(Running(duration: true) with { Now = 1_000 }));

    [Fact]
    public void WithoutADurationAServerThatRefusesEverythingEndsTheRunButNotWhileSomeoneIsConnected()
    {
        Assert.Equal(BurstOutcomes.PeerLost, StopRules.Decide(Running() with { ConsecutiveRefused = 20, ConnectedNow = 0 }));
        Assert.Null(StopRules.Decide(Running() with { ConsecutiveRefused = 20, ConnectedNow = 1 }));
        Assert.Null(StopRules.Decide(Running() with { ConsecutiveRefused = 19, ConnectedNow = 0 }));
    }

    [Fact]
    public void WithADurationARunGoesOnThroughAnOutage() =>
        Assert.Null(StopRules.Decide(Running(duration: true) with { ConsecutiveRefused = 1_000, ConnectedNow = 0 }));

    [Fact]
    public void AOneWaveRunWithoutADurationEndsWhenEveryAttemptSettled()
    {
        Assert.Equal(BurstOutcomes.Completed, StopRules.Decide(Running() with { Pending = 0, InFlight = 0 }));
        Assert.Null(StopRules.Decide(Running() with { Pending = 0, InFlight = 1 }));
        Assert.Null(StopRules.Decide(Running() with { Pending = 0, InFlight = 0, Cycles = true })); // reconnect cycles run until Ctrl-C
    }

    [Fact]
    public void ThePeerLostThresholdIsThreeSecondsOfAttemptsAndAtLeastTwenty()
    {
        Assert.Equal(20, StopRules.PeerLostAfter(2));
        Assert.Equal(750, StopRules.PeerLostAfter(250));
    }

    [Theory]
    [InlineData("Connecting", 101, 100, 0, 0, "TimeOut")]
    [InlineData("Connecting", 100, 100, 0, 0, "None")]
    [InlineData("Connected", 500, 0, 400, 0, "Ping")]
    [InlineData("Connected", 399, 0, 400, 0, "None")]
    [InlineData("Connected", 500, 0, 900, 450, "KeepaliveLost")]
    [InlineData("Connected", 450, 0, 900, 450, "None")]
    [InlineData("Connected", 1_000, 0, 900, 950, "KeepaliveLost")] // an overdue PINGRESP wins over the next ping
    [InlineData("ReconnectWait", 1_000, 0, 0, 0, "None")]
    public void TheHeartbeatComparesStoredDeadlines(string state, long now, long deadline, long nextPing, long pongDue, string expected) =>
        Assert.Equal(Enum.Parse<HeartbeatAction>(expected),
            HeartbeatRules.Decide(Enum.Parse<ClientState>(state), now, deadline, nextPing, pongDue));

    /// <summary>
    /// The thread-pool path moves an attempt to Connected a moment before it arms the new hold, while the heartbeat walks on
    /// another thread: in that moment the last cycle's ping time and owed PINGRESP must be gone, or the walk pings a TLS-only
    /// connection or closes the new one as a lost keepalive (seen beside a CPU hog as one PINGREQ in a TLS-only run).
    /// </summary>
    [Fact]
    public void ANewAttemptCarriesNothingOfTheLastHoldIntoTheHeartbeat()
    {
        var slot = new ClientSlot(0, 0);
        slot.Set(ClientState.Connected);
        slot.NextPing = 50;
        slot.PongDue = 80; // a PINGREQ sent, its PINGRESP owed when the linger closed the connection
        slot.KeepaliveExpired = true;
        slot.Set(ClientState.ReconnectWait);

        slot.StartAttempt(deadline: 10_000);
        Assert.Equal(HeartbeatAction.None, HeartbeatRules.Decide(slot.Current, 100, slot.Deadline, slot.NextPing, slot.PongDue));
        Assert.True(slot.TryMove(ClientState.Connecting, ClientState.Connected));
        Assert.Equal(HeartbeatAction.None, HeartbeatRules.Decide(slot.Current, 100, slot.Deadline, slot.NextPing, slot.PongDue));
        Assert.False(slot.KeepaliveExpired);
        Assert.Equal(HeartbeatAction.TimeOut, HeartbeatRules.Decide(ClientState.Connecting, 10_001, slot.Deadline, slot.NextPing,
            slot.PongDue));
    }

    [Fact]
    public void DeadlinesComeOutInDueOrderAndStaleOnesAreDropped()
    {
        var q = new DeadlineQueue();
        var a = new ClientSlot(0, 0);
        var b = new ClientSlot(1, 1);
        q.Arm(a, 300, DeadlineKind.Linger);
        q.Arm(b, 200, DeadlineKind.Reconnect);
        a.Connects++; // a reconnected: its linger deadline from the earlier connection is stale
        q.Arm(a, 400, DeadlineKind.Linger);
        Assert.True(q.HasNew);

        Assert.False(q.TryTakeDue(199, out _, out _, out _));
        Assert.True(q.TryPeekDue(out var first) && first == 200);
        Assert.True(q.TryTakeDue(1_000, out var s1, out var k1, out var d1));
        Assert.Equal((b, DeadlineKind.Reconnect, 200L), (s1, k1, d1));
        Assert.True(q.TryTakeDue(1_000, out var s2, out _, out var d2));
        Assert.Equal((a, 400L), (s2, d2));
        Assert.False(q.TryTakeDue(1_000, out _, out _, out _));
    }

    [Fact]
    public async Task DeadlinesMayBeArmedFromManyThreadsAtOnce()
    {
        var q = new DeadlineQueue();
        var slots = Enumerable.Range(0, 4000).Select(i => new ClientSlot(i, i)).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (int i = t; i < slots.Length; i += 4) q.Arm(slots[i], i, DeadlineKind.Reconnect);
        })));
        var taken = new List<long>();
        while (q.TryTakeDue(long.MaxValue, out _, out _, out var due)) taken.Add(due);
        Assert.Equal(Enumerable.Range(0, 4000).Select(i => (long)i), taken);
    }
}
