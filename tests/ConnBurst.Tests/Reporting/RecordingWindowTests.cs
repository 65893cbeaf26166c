using System.Text.Json.Nodes;
using ConnBurst.Monitor;
using ConnBurst.Reporting.Analysis;
using ConnBurst.Reporting.Sections;

namespace ConnBurst.Tests.Reporting;

/// <summary>A time window of a monitor result is summarised on its own samples, so a stage of a run gets its own proposals.</summary>
public class RecordingWindowTests
{
    [Fact]
    public void AWindowSeesOnlyItsSamplesAndItsStageGetsItsOwnProposals()
    {
        // Ten 1-s samples: five quiet ones, then five with the accept queue full at its backlog of 128.
        string[] columns = ["cpu.total.busy", "cpu.cpu0.busy", "cpu.cpu1.busy", "process.cpuPercent", "sockets.acceptQueue",
            "sockets.listenBacklog", "tcp.listenOverflows"];
        var start = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
        var rec = new ConnBurst.Monitor.Recording("stages", columns, startedAt: start);
        for (var i = 1; i <= 10; i++)
        {
            var busy = i > 5;
            rec.AppendAt(i, [busy ? 60 : 10, busy ? 70 : 12, busy ? 50 : 8, busy ? 80 : 5, busy ? 128 : 0, 128, busy ? 30 : 0]);
        }
        var result = new RecordingResult(rec, "completed", start.AddSeconds(10), TimeSpan.FromSeconds(1), 2, 8884, "server", 42, 4.25, [],
            new JsonObject());
        var doc = MonitorJson.Build(result, SummaryBuilder.Build(result));

        var quiet = ServerFigures.Window(doc, start, start.AddSeconds(5))!;
        var busyPart = ServerFigures.Window(doc, start.AddSeconds(5.5), start.AddSeconds(10))!;
        Assert.Equal(5, quiet.Samples);
        Assert.Equal(0, quiet.AcceptQueueMax);
        Assert.Equal(128, busyPart.AcceptQueueMax);
        Assert.Equal(128, busyPart.ListenBacklog);
        Assert.Equal(150, busyPart.KernelTcp!.ListenOverflows);
        Assert.Equal(70, busyPart.MaxCoreBusy);
        Assert.Equal(4, busyPart.ProcessCpuSeconds!.Value, 3); // 80% of a core over the 5 intervals its samples end
        Assert.Null(ServerFigures.Window(doc, start.AddSeconds(20), start.AddSeconds(30)));

        var run = SampleResults.Burst();
        var claims = BottleneckAnalyzer.Analyze(run, quiet, proposals: c => Proposals.For(run, quiet, c, signCost: () => null,
            serverKey: () => null));
        Assert.DoesNotContain(claims.Proposals, p => p.Id == "listen-backlog");
        var stage = BottleneckAnalyzer.Analyze(run, busyPart, proposals: c => Proposals.For(run, busyPart, c, signCost: () => null,
            serverKey: () => null));
        Assert.Contains(stage.Proposals, p => p.Id == "listen-backlog");
    }
}
