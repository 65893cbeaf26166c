using ConnBurst.Reporting.Analysis;
using ConnBurst.Reporting.Sections;

namespace ConnBurst.Tests.Reporting;

public class BottleneckAnalyzerTests
{
    [Fact]
    public void APerfProfileBecomesTheFunctionsClaimNamingTheFirstNamedFunction()
    {
        var server = SampleResults.Server();
        server["process"]!["profile"] = System.Text.Json.Nodes.JsonNode.Parse("""
            {"status":"ok","note":"busiest thread .NET Sockets (tid 7, 60% of the process's samples): 30% [unknown] in libcrypto.so.3","samples":100,
             "threads":[{"tid":7,"name":".NET Sockets","samples":60,"share":0.6,
               "functions":[{"symbol":"[unknown]","module":"libcrypto.so.3","samples":18,"share":0.3},{"symbol":"ASN1_item_verify_ctx","module":"libcrypto.so.3","samples":6,"share":0.1}],
               "modules":[{"module":"libcrypto.so.3","samples":30,"share":0.5}]}]}
            """);
        var doc = SampleResults.Burst().WithServer(server);
        var a = BottleneckAnalyzer.Analyze(doc, ServerFigures.Of(doc));
        Assert.NotNull(a.Functions);
        Assert.Equal("ASN1_item_verify_ctx", a.Functions!.Conclusion);
        Assert.StartsWith("busiest thread .NET Sockets", a.Functions.Text);
        Assert.Contains(a.Functions.Evidence, e => e.Contains("10.0% ASN1_item_verify_ctx in libcrypto.so.3", StringComparison.Ordinal)
            && e.Contains("by file: libcrypto.so.3 50.0%", StringComparison.Ordinal));
        Assert.Equal(4, a.Claims.Count());

        server["process"]!["profile"] = System.Text.Json.Nodes.JsonNode.Parse(
            """{"status":"not-cpu-bound","note":"perf not run: the process was not CPU-bound"}""");
        var idle = BottleneckAnalyzer.Analyze(doc, ServerFigures.Of(doc));
        Assert.Equal("not-cpu-bound", idle.Functions!.Conclusion);
        Assert.Empty(idle.Functions.Evidence);
    }

    [Fact]
    public void WithoutPerfThereIsNoFunctionsClaim()
    {
        var doc = SampleResults.Burst().WithServer(SampleResults.Server());
        var a = BottleneckAnalyzer.Analyze(doc, ServerFigures.Of(doc));
        Assert.Null(a.Functions);
        Assert.Equal(3, a.Claims.Count());
    }

    [Fact]
    public void AServerThatStopsReadingIsNamedAsTheServerSide()
    {
        var doc = SampleResults.Burst().WithServer(SampleResults.Server(recvQSumMax: 900_000, acceptQueueMax: 128));
        var a = BottleneckAnalyzer.Analyze(doc, ServerFigures.Of(doc));
        Assert.Equal("server", a.Side.Conclusion);
        Assert.Contains(a.Side.Evidence, e => e.Contains("Recv-Q", StringComparison.Ordinal)
            && e.Contains("900000", StringComparison.Ordinal));
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
        Assert.Contains(a.Side.Evidence, e => e.Contains("server process itself used at most 45", StringComparison.Ordinal)
            && e.Contains("busy with other work", StringComparison.Ordinal));

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
