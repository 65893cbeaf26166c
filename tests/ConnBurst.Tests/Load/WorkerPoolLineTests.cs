using ConnBurst.Load;
using ConnBurst.Recording;

namespace ConnBurst.Tests.Load;

public sealed class WorkerPoolLineTests
{
    /// <summary>
    /// A worker killed while it writes a report leaves the parent half a line (a report is longer than a pipe takes in one
    /// write). The parent reads it on the process's output event, where a parse exception ended the parent, and with it
    /// the results of every other worker; now the line is dropped with a message and the next whole one still counts.
    /// </summary>
    [Fact]
    public void AReportLineCutShortIsDroppedWithAMessageAndTheNextOneCounts()
    {
        var recorders = new PhaseRecorders();
        recorders.Record(BurstPhase.Total, 1_000);
        var line = new IntervalReport { Index = 0, EndSeconds = 1, Histograms = recorders.TakeInterval() }.ToLine();
        using var aggregator = new BurstAggregator(1, 10, DateTimeOffset.UtcNow, null, null);
        var log = new List<string>();
        var state = new WorkerPool.WorkerStates(1, aggregator, log.Add, null, 0);

        WorkerPool.OnLine(line[..(line.Length / 2)], false, 0, state);
        Assert.Contains(log, l => l.Contains("[worker 0] an unreadable report line", StringComparison.Ordinal));
        Assert.Empty(aggregator.Intervals);

        WorkerPool.OnLine(line, false, 0, state);
        Assert.Single(aggregator.Intervals);
        Assert.Equal(1, aggregator.Cumulative(BurstPhase.Total).TotalCount);
    }
}
