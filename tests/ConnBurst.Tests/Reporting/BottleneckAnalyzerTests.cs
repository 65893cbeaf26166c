using ConnBurst.Reporting.Analysis;
using ConnBurst.Reporting.Sections;

namespace ConnBurst.Tests.Reporting;

public class BottleneckAnalyzerTests
{
    [Fact]
    public void AServerThatStopsReadingIsNamedAsTheServerSide()
    {
        var doc = SampleResults.Burst().WithServer(SampleResults.Server(recvQSumMax: 900_000, acceptQueueMax: 128));
        var a = BottleneckAnalyzer.Analyze(doc, ServerFigures.Of(doc));
        Assert.Equal("server", a.Side.Conclusion);
        Assert.Contains(a.Side.Evidence, e => e.Contains("Recv-Q", StringComparison.Ordinal) && e.Contains("900000", StringComparison.Ordinal));
    }

    [Fact]
    public void AStarvedGeneratorIsNamedAsTheGeneratorSide()
    {
        var doc = SampleResults.Burst();
        doc.Sections["generator"] = SampleResults.Generator(cpuSeconds: 9.5, lagP99: 240, fellBehind: true);
        doc.WithServer(SampleResults.Server(core0Max: 30, core1Max: 20));
        var a = BottleneckAnalyzer.Analyze(doc, ServerFigures.Of(doc));
        Assert.Equal("generator", a.Side.Conclusion);
        Assert.Contains(a.Side.Evidence, e => e.Contains("scheduler lag p99 240", StringComparison.Ordinal));
    }

    [Fact]
    public void AHotCoreTheServerProcessCouldNotHaveFilledCountsForTheGeneratorNotTheServer()
    {
        // Co-located: the generator shares a core with other work and falls behind; the server used at most 45% of a core.
        var doc = SampleResults.Burst();
        doc.Sections["generator"] = SampleResults.Generator(cpuSeconds: 4, lagP99: 240, fellBehind: true);
        var server = SampleResults.Server(core0Max: 100, core1Max: 60, acceptQueueMax: 2);
        server["process"]!["cpuMaxPercent"] = 45.0;
        doc.WithServer(server);
        var a = BottleneckAnalyzer.Analyze(doc, ServerFigures.Of(doc));
        Assert.True(a.Side.Conclusion == "generator", string.Join(" | ", a.Side.Evidence));
        Assert.Contains(a.Side.Evidence, e => e.Contains("server process itself used at most 45", StringComparison.Ordinal) && e.Contains("busy with other work", StringComparison.Ordinal));

        // The same hot core with a server that did use a whole core is the server's.
        server["process"]!["cpuMaxPercent"] = 98.0;
        doc.Sections["generator"] = SampleResults.Generator(cpuSeconds: 4, lagP99: 2, fellBehind: false);
        Assert.Equal("server", BottleneckAnalyzer.Analyze(doc, ServerFigures.Of(doc)).Side.Conclusion);
    }

    [Fact]
    public void ClientsNotReadingShowAsServerSendQAndPointAtTheGenerator()
    {
        var doc = SampleResults.Burst().WithServer(SampleResults.Server(sendQSumMax: 2_000_000));
        Assert.Equal("generator", BottleneckAnalyzer.Analyze(doc, ServerFigures.Of(doc)).Side.Conclusion);
    }

    [Fact]
    public void OneHotCoreIsTheResourceWhenTheMachineHasRoom()
    {
        var doc = SampleResults.Burst().WithServer(SampleResults.Server(core0Max: 97, core1Max: 20));
        var a = BottleneckAnalyzer.Analyze(doc, ServerFigures.Of(doc));
        Assert.Equal("cpu-core", a.Resource.Conclusion);
        Assert.Contains("cpu0", a.Resource.Text);
        Assert.Equal("server", a.Side.Conclusion);
    }

    [Fact]
    public void AFullMachineIsTheResourceWhenEveryCoreIsBusy()
    {
        var doc = SampleResults.Burst().WithServer(SampleResults.Server(core0Max: 99, core1Max: 98));
        Assert.Equal("cpu-machine", BottleneckAnalyzer.Analyze(doc, ServerFigures.Of(doc)).Resource.Conclusion);
    }

    [Fact]
    public void BusiestThreadsAreNamedWithTheirShare()
    {
        var doc = SampleResults.Burst().WithServer(SampleResults.Server());
        var a = BottleneckAnalyzer.Analyze(doc, ServerFigures.Of(doc));
        Assert.Equal(".NET TP Worker", a.Threads.Conclusion);
        Assert.Contains("44", a.Threads.Text);
        Assert.Equal(3, a.Threads.Evidence.Count);
    }

    [Fact]
    public void SaysSoWhenTheDataCannotTell()
    {
        var doc = SampleResults.Burst();
        doc.Sections.Clear();
        var a = BottleneckAnalyzer.Analyze(doc, null);
        Assert.All(a.Claims, c => Assert.Equal("undetermined", c.Conclusion));
        Assert.Contains("cannot tell", a.Side.Text);
    }

    [Fact]
    public void CalmRunsAreUndeterminedButStillCiteTheirFigures()
    {
        var doc = SampleResults.Burst().WithServer(SampleResults.Server(core0Max: 30, core1Max: 25));
        var a = BottleneckAnalyzer.Analyze(doc, ServerFigures.Of(doc));
        Assert.Equal("undetermined", a.Side.Conclusion);
        Assert.NotEmpty(a.Side.Evidence);
        Assert.Equal("none", a.Resource.Conclusion);
    }
}
