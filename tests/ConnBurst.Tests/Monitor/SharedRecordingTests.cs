using System.Text.Json.Nodes;
using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Monitor;

/// <summary>
/// The agents of one multi-agent run share one recording (docs/monitor-protocol.md, "Recordings shared by the agents of
/// one run"): JOIN and LEAVE against a real monitor process, the deadline, SAMPLES, and START/STOP unchanged beside them.
/// </summary>
public sealed class SharedRecordingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AgentsJoinOneRecordingThatRunsUntilTheLastLeaves()
    {
        using var dir = new TempDir();
        using var monitor = await MonitorProcess.StartAsync(dir, ["--interval", "250ms"]);
        using var a = await monitor.ConnectRawAsync();
        using var b = await monitor.ConnectRawAsync();

        Assert.Equal("OK joined run-7 agents=1", await a.SendAsync("JOIN run-7"));
        Assert.Equal("OK joined run-7 agents=2", await b.SendAsync("JOIN run-7")); // a second agent is not an error
        Assert.StartsWith("ERR already recording 'run-7'", await a.SendAsync("JOIN another-run"));
        Assert.StartsWith("ERR already recording 'run-7'", await a.SendAsync("START"));
        await MonitorProcess.WaitForSamplesAsync(() => a.SendAsync("STATUS"), 3, Wait);

        Assert.Equal("OK left run-7 agents=1 recording goes on", await a.SendAsync("LEAVE"));
        Assert.StartsWith("OK recording", await b.SendAsync("STATUS"));
        Assert.StartsWith("OK stopped", await b.SendAsync("LEAVE")); // the last agent's LEAVE ends and writes it
        Assert.StartsWith("OK idle last=run-7", await a.SendAsync("STATUS"));

        // SAMPLES: the CPU series on the wall clock, one busy series per core, aligned with t.
        var samples = JsonNode.Parse(await a.SendAsync("SAMPLES"))!;
        var parsed = CpuSamples.FromJson(samples)!;
        Assert.Equal("run-7", parsed.Label);
        Assert.True(parsed.T.Length >= 3, $"{parsed.T.Length} samples");
        Assert.Equal(Environment.ProcessorCount, parsed.CoreBusy.Length);
        Assert.All(parsed.CoreBusy, core => Assert.Equal(parsed.T.Length, core.Length));
        var window = parsed.Window(parsed.StartedAt, parsed.StartedAt.AddSeconds(parsed.T[^1]));
        Assert.NotNull(window);
        Assert.Equal(parsed.T.Length, window["samples"]!.GetValue<int>());

        // START and STOP are as they were: a recording of one tester, which LEAVE does not end.
        Assert.Equal("OK started solo", await a.SendAsync("START solo"));
        Assert.StartsWith("ERR this recording was started by START", await b.SendAsync("LEAVE"));
        Assert.StartsWith("OK stopped", await a.SendAsync("STOP"));
        Assert.StartsWith("ERR not recording", await a.SendAsync("LEAVE"));
    }

    [Fact]
    public async Task AJoinedRecordingWhoseAgentsNeverLeaveEndsAtItsDeadline()
    {
        using var dir = new TempDir();
        using var monitor = await MonitorProcess.StartAsync(dir, ["--interval", "250ms"]);
        using var a = await monitor.ConnectRawAsync();
        var until = DateTimeOffset.UtcNow.AddSeconds(2).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ",
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("OK joined lost-agents agents=1", await a.SendAsync($"JOIN lost-agents UNTIL {until}"));
        Assert.StartsWith("ERR JOIN: UNTIL takes", await a.SendAsync("JOIN lost-agents UNTIL tomorrow"));
        var deadline = DateTime.UtcNow + Wait;
        string status;
        do
        {
            status = await a.SendAsync("STATUS");
            if (status == "OK idle last=lost-agents") break; // ended, and written
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        Assert.Equal("OK idle last=lost-agents", status);
        Assert.StartsWith("{", await a.SendAsync("SAMPLES"));
    }
}
