using System.Diagnostics;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Bench;

/// <summary>
/// The soak's short version (bench/soak.sh runs an hour; this runs 75 s a server): reconnect cycles against serve mqtt
/// and Mosquitto with the 10K CRL, every attempt reconciled and the servers' own counts agreeing.
/// </summary>
public sealed class SoakScriptTests
{
    [Fact]
    public async Task ASoakOfReconnectCyclesReconcilesEveryCountOnBothServers()
    {
        using var dir = new TempDir();
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = Repo.Root };
        foreach (var a in new[] { Path.Combine(Repo.Root, "bench", "soak.sh"), "75s", "600", "100", "2s", "serve mosquitto" })
            psi.ArgumentList.Add(a);
        psi.Environment["SOAK_INTERVAL"] = "5";
        psi.Environment["SOAK_OUT"] = dir.Path;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(6));
        }
        finally
        {
            // Timed out (or the test failed): the script, its servers and bursts must not outlive the test.
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        var text = await stdout + await stderr;

        Assert.True(p.ExitCode == 0, text);
        foreach (var server in new[] { "serve", "mosquitto" })
        {
            var report = File.ReadAllText(Path.Combine(dir.Path, server, "report.md"));
            Assert.Contains("ok: every attempt accounted for", report);
            Assert.Contains(server == "serve" ? "ok: the server's own count" : "ok: Mosquitto's log", report);
            Assert.DoesNotContain("FAILED", report);
            Assert.Contains("| t (s) | RSS (MiB) | fds |", report);
        }
    }
}
