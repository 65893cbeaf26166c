using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Deploy;

/// <summary>
/// The README's single-file install: the <c>linux-x64-single-file</c> publish profile makes one self-contained binary
/// that runs <c>--version</c> and the whole <c>demo</c> (its server and monitor are the same binary started again).
/// ReadyToRun is switched off here only to keep CI's publish short (it precompiles the same code; the figures in
/// docs/BENCHMARKS.md are of the profile as it is).
/// </summary>
public sealed class SingleFileTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task SingleFilePublishIsOneBinaryThatRunsVersionAndTheDemo()
    {
        using var dir = new TempDir();
        var output = dir.Combine("publish");
        // Native libraries unpack here on first run instead of ~/.net; CONNBURST_HOME keeps the default PKI out of ~.
        var env = new Dictionary<string, string>
        {
            ["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = dir.Combine("extract"),
            ["CONNBURST_HOME"] = dir.Combine("connburst-home"),
        };
        var publish = await Tool.RunAsync("dotnet", ["publish", Path.Combine(Repo.Root, "src", "ConnBurst.Cli"), "-c", "Release",
            "-p:PublishProfile=linux-x64-single-file", "-p:PublishReadyToRun=false", "-o", output, "-nologo"], env, Timeout);
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Equal(["connburst"], Directory.GetFiles(output).Select(Path.GetFileName));

        var binary = Path.Combine(output, "connburst");
        var version = await Tool.RunAsync(binary, ["--version"], env, Timeout);
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Matches(@"^connburst \S+ \(OpenSSL 3\.", version.Stdout.Trim());

        var demoDir = dir.Combine("demo");
        var demo = await Tool.RunAsync(binary, ["demo", "--out", demoDir, "--clients", "60", "--rate", "30", "--duration", "4s",
            "--peak-steps", "3"], env, Timeout);
        Assert.True(demo.ExitCode == 0, demo.ToString());
        Assert.Equal(Path.Combine(demoDir, "demo-report.html"), demo.LastLine);
        Assert.Contains("connect latency (total): avg", demo.Stdout);
        Assert.Contains("peak: ", demo.Stdout);
        Assert.Contains("stopped 2 child process(es)", demo.Stderr);
        Assert.True(new FileInfo(demo.LastLine).Length > 10_000, "a report with its charts inlined");
    }
}
