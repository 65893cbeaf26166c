using ConnBurst.Recording;

namespace ConnBurst.Tests.Recording;

public sealed class LatencyHistogramsTests
{
    [Fact]
    public void ARecorderWrittenByManyThreadsAtOnceLosesNoCount()
    {
        var recorder = LatencyHistograms.CreateRecorder();
        const int threads = 4, perThread = 200_000;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var i = 0; i < perThread; i++) recorder.RecordValue(1 + (i % 1000));
        });
        Assert.Equal(threads * perThread, recorder.GetIntervalHistogram().TotalCount);
    }
}
