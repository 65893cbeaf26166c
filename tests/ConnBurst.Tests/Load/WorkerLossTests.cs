using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Load;

/// <summary>A worker process SIGKILLed mid-run: the parent names it, the other worker goes on, the results say "partial".</summary>
public sealed class WorkerLossTests
{
    [Fact]
    public async Task AKilledWorkerIsNamedTheOthersGoOnAndTheRunIsPartial()
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        using var burst = CliProcess.Start("burst", "--target", broker.Target, "--pki", TestPki.Dir, "--clients", "200", "--rate", "40",
            "--workers", "2", "--linger", "2s", "--duration", "14s", "--timeout", "30s", "--snapshot", "1s", "--results", dir.Path);

        var victim = await SecondWorkerAsync(burst);
        Assert.True(ConnBurst.Common.Signals.Send(victim, ConnBurst.Common.Signals.Kill));

        var run = await burst.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 1, run.ToString()); // the run failed in part: its figures are written all the same
        var doc = ResultsFile.Read(run.LastLine);
        Assert.Equal("partial", doc.Outcome);
        var lost = doc.Section("lostWorkers")!.AsArray();
        Assert.Single(lost);
        Assert.Contains("SIGKILL", lost[0]!["exit"]!.GetValue<string>());
        Assert.Contains("lost: exited (signal 9 (SIGKILL))", run.Stdout + run.Stderr);
        // The survivor kept its schedule to the end: connects in the last seconds, after the kill.
        Assert.True(doc.Intervals.TakeLast(3).Sum(i => i.Values["connacks"]) > 0, run.ToString());
        Assert.Equal(0, doc.Counts.Other["disconnectedByServer"]);
    }

    /// <summary>Both workers are running once the first interval closed: worker 1's process id (the parent's second child).</summary>
    internal static async Task<int> SecondWorkerAsync(CliProcess burst)
    {
        await burst.WaitForOutputAsync("connected", TimeSpan.FromSeconds(60));
        var workers = Children(burst.Pid);
        Assert.True(workers.Count == 2, $"workers: {string.Join(",", workers)}\n{burst.Stdout}\n{burst.Stderr}");
        return workers.Max();
    }

    private static List<int> Children(int pid)
    {
        var list = new List<int>();
        foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            var text = File.ReadAllText(Path.Combine(task, "children")).Trim();
            if (text.Length > 0) list.AddRange(text.Split(' ').Select(int.Parse));
        }
        return list;
    }
}
