using System.Text.Json.Nodes;
using ConnBurst.Monitor;

namespace ConnBurst.Tests.Monitor;

/// <summary>
/// A core's busy figure is 100 - idle, so on a virtual machine it includes the hypervisor's steal: the summary keeps
/// steal per core beside it, so a reader (peak's CPU verdict) can tell a neighbour's load from the server's.
/// </summary>
public sealed class SummaryStealTests
{
    [Fact]
    public void StealIsSummarisedPerCoreAndForTheBusiestSample()
    {
        var recording = new ConnBurst.Monitor.Recording("steal",
            ["cpu.total.busy", "cpu.total.steal", "cpu.cpu0.busy", "cpu.cpu0.steal", "cpu.cpu1.busy", "cpu.cpu1.steal"]);
        recording.Append([50, 10, 60, 5, 40, 15]);
        recording.Append([70, 20, 90, 30, 50, 10]);
        var summary = SummaryBuilder.Build(new RecordingResult(recording, "completed", DateTimeOffset.Now, TimeSpan.FromSeconds(1),
            Cores: 2, Port: null, ProcessName: null, ProcessPid: null, ProcessCpuSeconds: 0, Threads: [], Config: new JsonObject()));

        Assert.Equal(17.5, summary.Cpu.PerCore[0].AvgSteal);
        Assert.Equal(30, summary.Cpu.PerCore[0].MaxSteal);
        Assert.Equal(12.5, summary.Cpu.PerCore[1].AvgSteal);
        Assert.Equal(15, summary.Cpu.PerCore[1].MaxSteal);
        Assert.Equal(30, summary.Cpu.MaxCoreMaxSteal);
        Assert.Equal(90, summary.Cpu.MaxCoreMaxBusy);
        Assert.Equal(15, summary.Cpu.AvgSteal);
    }
}
