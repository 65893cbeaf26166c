using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using ConnBurst.Cli;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Deploy;

/// <summary><c>connburst --version</c>, the image's smoke test (deploy/build-image.sh runs it inside the image).</summary>
public sealed class VersionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task VersionPrintsTheToolVersionAndTheOpenSslLibraryItLoadedOnOneLine()
    {
        var r = await CliProcess.RunAsync(Timeout, "--version");
        Assert.True(r.ExitCode == 0, r.ToString());
        var line = r.Stdout.Trim();
        Assert.DoesNotContain('\n', line);

        var informational = typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.StartsWith($"connburst {informational} (OpenSSL 3.", line);
        // The library the process loaded, as an independent peer reports it: `openssl version` ends "(Library: OpenSSL 3.0.x DATE)".
        var openssl = OpensslVersion().Trim();
        var library = Regex.Match(openssl, @"Library: (OpenSSL [^)]+)\)");
        Assert.EndsWith($"({(library.Success ? library.Groups[1].Value : openssl)})", line);
    }

    private static string OpensslVersion()
    {
        using var p = Process.Start(new ProcessStartInfo("openssl", "version") { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit(10_000);
        return output;
    }
}
