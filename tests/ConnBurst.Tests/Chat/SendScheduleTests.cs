using System.Diagnostics;
using System.Net.Security;
using System.Security.Authentication;
using ConnBurst.Common;
using ConnBurst.Load.Chat;

namespace ConnBurst.Tests.Chat;

public class SendScheduleTests
{
    private static ChatRunOptions Options(int clients, int messages, double seconds, double? rate = null) => new()
    {
        Server = new HostPort("127.0.0.1", 8080), Protocol = SslProtocols.Tls13, Clients = clients, MessagesPerClient = messages,
        Duration = TimeSpan.FromSeconds(seconds), Tls = new SslClientAuthenticationOptions(), Rate = rate,
    };

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    [Fact]
    public void WithoutARateEachClientsMessagesAreSpreadOverTheDurationAndClientsAreStaggered()
    {
        var s = new SendSchedule(0, Options(clients: 4, messages: 10, seconds: 20));
        Assert.Equal(10, s.CountFor(3));
        Assert.Equal(0, Seconds(s.Due(0, 0)), 6);
        Assert.Equal(2, Seconds(s.Due(0, 1)), 6);    // 20 s / 10 messages
        Assert.Equal(0.5, Seconds(s.Due(1, 0)), 6);  // client 1 starts a quarter of a gap later
        Assert.True(Seconds(s.Due(3, 9)) < 20);
    }

    [Fact]
    public void WithARateMessagesGoOutAtThatAggregateRateAndStopAtTheDuration()
    {
        var s = new SendSchedule(0, Options(clients: 10, messages: 100, seconds: 2, rate: 50));
        Assert.Equal(0.02, Seconds(s.Due(1, 0)), 6);   // k = 1 at 50/s
        Assert.Equal(0.2, Seconds(s.Due(0, 1)), 6);    // k = 10
        // 2 s at 50/s = 100 messages overall: 10 per client, not the 100 asked for.
        Assert.Equal(100, Enumerable.Range(0, 10).Sum(s.CountFor));
        Assert.All(Enumerable.Range(0, 10), c => Assert.True(Seconds(s.Due(c, s.CountFor(c) - 1)) < 2));
    }

    [Fact]
    public void RoomsAreAssignedRoundRobin()
    {
        var o = Options(6, 1, 1) with { Room = "r", Rooms = 3 };
        Assert.Equal(["r-0", "r-1", "r-2", "r-0", "r-1", "r-2"], Enumerable.Range(0, 6).Select(o.RoomOf));
        Assert.Equal("lobby", (Options(6, 1, 1) with { Room = "lobby" }).RoomOf(5));
    }
}
