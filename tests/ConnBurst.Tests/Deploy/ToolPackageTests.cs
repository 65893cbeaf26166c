using System.Reflection;
using ConnBurst.Cli;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Deploy;

/// <summary>
/// The README's .NET tool install, done as a user does it: <c>dotnet pack</c> of the CLI project into a folder, then
/// <c>dotnet tool install --global --add-source FOLDER ConnBurst</c> with a temporary home (DOTNET_CLI_HOME), so the
/// "global" tool path is a temporary one and the user's own tools are never touched; the installed command runs.
/// </summary>
public sealed class ToolPackageTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task PackedToolInstallsIntoATemporaryGlobalToolPathAndRunsVersionAndCerts()
    {
        using var dir = new TempDir();
        var feed = dir.Combine("feed");
        var home = dir.Combine("home");
        Directory.CreateDirectory(home);
        // The pack restores from the machine's own package cache; only the install and the tool see the temporary home
        // (under it, a restore would fetch every package again).
        var pack = await RunAsync("dotnet", ["pack", Path.Combine(Repo.Root, "src", "ConnBurst.Cli"), "-c", Configuration, "-o", feed,
            "-nologo"],
            new Dictionary<string, string>());
        var env = new Dictionary<string, string> { ["DOTNET_CLI_HOME"] = home, ["CONNBURST_HOME"] = dir.Combine("connburst-home") };
        Assert.True(pack.ExitCode == 0, pack.ToString());
        // A linux-x64 tool package and the package that points to it (.NET 10 RID-specific tools).
        Assert.True(File.Exists(Path.Combine(feed, $"ConnBurst.{PackageVersion}.nupkg")), string.Join(", ", Directory.GetFiles(feed)));
        Assert.True(File.Exists(Path.Combine(feed, $"ConnBurst.linux-x64.{PackageVersion}.nupkg")),
            string.Join(", ", Directory.GetFiles(feed)));

        var install = await RunAsync("dotnet", ["tool", "install", "--global", "--add-source", feed, "ConnBurst"], env);
        Assert.True(install.ExitCode == 0, install.ToString());
        var tool = Path.Combine(home, ".dotnet", "tools", "connburst");
        Assert.True(File.Exists(tool), install.ToString());

        var version = await RunAsync(tool, ["--version"], env);
        Assert.True(version.ExitCode == 0, version.ToString());
        var informational = typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.StartsWith($"connburst {informational} (OpenSSL 3.", version.Stdout.Trim());

        var pki = dir.Combine("pki");
        var certs = await RunAsync(tool, ["certs", "--out", pki, "--revoked", "5"], env);
        Assert.True(certs.ExitCode == 0, certs.ToString());
        Assert.True(File.Exists(Path.Combine(pki, "manifest.json")), certs.ToString());
        // openssl, an independent peer, accepts the installed tool's client certificate against its CA and CRL.
        var verify = await RunAsync("openssl", ["verify", "-crl_check", "-CAfile", Path.Combine(pki, "ca.pem"), "-CRLfile",
            Path.Combine(pki, "crl.pem"),
            Path.Combine(pki, "client.pem")], env);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("client.pem: OK", verify.Stdout);
    }

    /// <summary>The package's version: the assembly's informational version without its +commit suffix.</summary>
    private static string PackageVersion =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    private static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    private static Task<CliResult> RunAsync(string program, IEnumerable<string> args, IDictionary<string, string> env) =>
        Tool.RunAsync(program, args, env, Timeout);
}
