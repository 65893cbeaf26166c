using System.Reflection.PortableExecutable;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Deploy;

/// <summary>
/// The README's <c>dotnet src/ConnBurst.Cli/bin/Release/net10.0/connburst.dll</c> after a Release build runs precompiled
/// code, ours and the packages', as the tool and the single file do, and the precompiled output still runs
/// (docs/DECISIONS.md "Cli: a burst's fixed cost"). This test project's own Release build is the one checked.
/// </summary>
public sealed class BuildOutputTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ReleaseBuildOutputIsReadyToRunAndRuns()
    {
        // bin/CONFIGURATION/TFM/ of this test assembly: the CLI project was built in the same configuration.
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfmDir.Parent!.Name;
        if (configuration != "Release") return;   // only a Release build is precompiled (ConnBurst.Cli.csproj, BuildReadyToRun)
        var output = Path.Combine(Repo.Root, "src", "ConnBurst.Cli", "bin", configuration, tfmDir.Name);

        foreach (var name in new[] { "connburst.dll", "ConnBurst.Core.dll", "System.CommandLine.dll", "HdrHistogram.dll" })
            Assert.True(IsReadyToRun(Path.Combine(output, name)), $"{name} in {output} is IL only");

        var version = await Tool.RunAsync("dotnet", [Path.Combine(output, "connburst.dll"), "--version"],
            new Dictionary<string, string>(), Timeout);
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Matches(@"^connburst \S+ \(OpenSSL 3\.", version.Stdout.Trim());
    }

    /// <summary>A ReadyToRun image's CLI header points at its native code's header; an IL-only assembly's does not.</summary>
    private static bool IsReadyToRun(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        return pe.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }
}
