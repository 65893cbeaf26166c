using ConnBurst.Load.Chat;

namespace ConnBurst.Tests.Chat;

public class MessageStampTests
{
    [Fact]
    public void StampRoundTripsAndPadsToTheMessageSize()
    {
        var buf = new byte[200];
        var stamp = new MessageStamp(12345, 9, 987654321012345);
        var n = stamp.Write(buf, 120);
        Assert.Equal(120, n);
        Assert.True(MessageStamp.TryRead(buf.AsSpan(0, n), out var back));
        Assert.Equal(stamp, back);
        Assert.All(buf[(n - 10)..n], b => Assert.Equal((byte)'x', b));
    }

    [Fact]
    public void AMessageSizeBelowTheStampStillCarriesTheWholeStamp()
    {
        var buf = new byte[MessageStamp.MaxBytes];
        var stamp = new MessageStamp(int.MaxValue, int.MaxValue, long.MaxValue);
        var n = stamp.Write(buf, 1);
        Assert.True(n <= MessageStamp.MaxBytes);
        Assert.True(MessageStamp.TryRead(buf.AsSpan(0, n), out var back));
        Assert.Equal(stamp, back);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("1.2.")]
    [InlineData("g.1.1.")]
    [InlineData("...")]
    public void ForeignTextIsNotAStamp(string text) =>
        Assert.False(MessageStamp.TryRead(System.Text.Encoding.ASCII.GetBytes(text), out _));
}
