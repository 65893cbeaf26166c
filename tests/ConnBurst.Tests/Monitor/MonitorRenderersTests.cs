using System.Text.Json.Nodes;
using ConnBurst.Monitor;
using ConnBurst.Monitor.Proc;
using ConnBurst.Reporting.Recordings;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Results;

namespace ConnBurst.Tests.Monitor;

/// <summary>The monitor's files as renderers of the report's kind, written in process from a synthetic recording.</summary>
public sealed class MonitorRenderersTests
{
    private static RecordingResult Synthetic(string? process)
    {
        var recording = new ConnBurst.Monitor.Recording("synthetic",
            ["cpu.total.busy", "cpu.cpu0.busy", "mem.usedMiB", "process.cpuPercent", "process.rssMiB"]);
        for (var i = 0; i < 5; i++) recording.Append([10.0 * i, 20.0 * i, 512, 5.0 * i, 40]);
        return new RecordingResult(recording, "completed", DateTimeOffset.Now, TimeSpan.FromMilliseconds(250), Cores: 1, Port: null,
            ProcessName: process, ProcessPid: process is null ? null : 4242, ProcessCpuSeconds: 0.5,
            Threads: process is null ? [] : [new ThreadCpu(4243, "spinner", 0.4, 0.8, true), new ThreadCpu(4244, "idler", 0.1, 0.2, false)],
            Config: new JsonObject());
    }

    [Fact]
    public void EveryFileIsWrittenUnderTheChatBenchmarksNameAndListedInTheJson()
    {
        using var dir = new TempDir();
        var written = MonitorResultsWriter.Write(Synthetic("busy"), dir.Path);
        Assert.Empty(written.Problems);
        Assert.Equal(["json", "png", "processPng", "threadsTxt", "txt"], written.Summary.Files.Keys);
        var stamp = Path.GetFileNameWithoutExtension(written.JsonPath)["monitor-".Length..];
        Assert.Equal(dir.Combine($"server_cpu_results_{stamp}.txt"), written.Summary.Files["txt"]);
        Assert.Equal(dir.Combine($"server_threads_{stamp}.txt"), written.Summary.Files["threadsTxt"]);
        foreach (var f in written.Summary.Files.Values) Assert.True(File.Exists(f), f);
        Assert.Contains("spinner", File.ReadAllText(written.Summary.Files["threadsTxt"]));
        var files = ResultsFile.Read(written.JsonPath).Section("monitor")!["summary"]!["files"]!.AsObject();
        Assert.Equal(written.Summary.Files.Keys, files.Select(kv => kv.Key));
    }

    [Fact]
    public void WithoutAWatchedProcessThereAreNoProcessFilesAndASecondRecordingInTheSameSecondDoesNotOverwrite()
    {
        using var dir = new TempDir();
        var result = Synthetic(process: null);
        var first = MonitorResultsWriter.Write(result, dir.Path);
        var second = MonitorResultsWriter.Write(result, dir.Path);
        Assert.Equal(["json", "png", "txt"], first.Summary.Files.Keys);
        Assert.NotEqual(first.Summary.Files["txt"], second.Summary.Files["txt"]);
        Assert.EndsWith("_2.txt", second.Summary.Files["txt"], StringComparison.Ordinal);
        Assert.Equal(6, Directory.GetFiles(dir.Path).Length);
    }
}
