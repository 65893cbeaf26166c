using ConnBurst.Transport;

namespace ConnBurst.Tests.Transport;

public class AcceptRateLimiterTests
{
    [Fact]
    public void AcceptsArePacedEvenlyAtTheRate()
    {
        var limiter = new AcceptRateLimiter(100);
        var now = TimeSpan.Zero;
        Assert.Equal(TimeSpan.Zero, limiter.NextDelay(now));
        Assert.Equal(TimeSpan.FromMilliseconds(10), limiter.NextDelay(now));
        Assert.Equal(TimeSpan.FromMilliseconds(20), limiter.NextDelay(now));
    }

    [Fact]
    public void IdleTimeEarnsNoBurstOfAccepts()
    {
        var limiter = new AcceptRateLimiter(100);
        Assert.Equal(TimeSpan.Zero, limiter.NextDelay(TimeSpan.Zero));
        var later = TimeSpan.FromSeconds(5); // a quiet spell between two peak steps
        Assert.Equal(TimeSpan.Zero, limiter.NextDelay(later));
        Assert.Equal(TimeSpan.FromMilliseconds(10), limiter.NextDelay(later));
        Assert.Equal(TimeSpan.FromMilliseconds(20), limiter.NextDelay(later));
    }
}
