using ConnBurst.Recording;
using HdrHistogram;

namespace ConnBurst.Tests.Recording;

public sealed class PhaseRecordersTests
{
    /// <summary>
    /// Copies given back are the next interval's, holding that interval alone: no 172 KB histogram is made per interval,
    /// and nothing of the last one (counts, or the tag and timestamps the .hlog stamped) leaks into the next.
    /// </summary>
    [Fact]
    public void CopiesGivenBackAreReusedAndHoldOnlyTheNextInterval()
    {
        var rec = new PhaseRecorders();
        rec.Record(BurstPhase.Total, 5_000);
        rec.Record(BurstPhase.Tcp, 300);
        var first = rec.TakeInterval();
        var total = first[(int)BurstPhase.Total];
        total.Tag = "total";
        total.StartTimeStamp = 1_000;
        total.EndTimeStamp = 2_000;
        rec.Return(first);

        rec.Record(BurstPhase.Total, 70_000);
        var second = rec.TakeInterval();
        Assert.Same(first, second);
        Assert.Same(total, second[(int)BurstPhase.Total]);
        Assert.Equal(1, total.TotalCount);
        Assert.Equal(total.HighestEquivalentValue(70_000), total.GetMaxValue());
        Assert.Null(total.Tag);
        Assert.Equal(0, total.StartTimeStamp);
        Assert.Equal(0, total.EndTimeStamp);
        Assert.Equal(0, second[(int)BurstPhase.Tcp].TotalCount);

        Assert.NotSame(second, rec.TakeInterval()); // nothing given back: new copies
    }
}
