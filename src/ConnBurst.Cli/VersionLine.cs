using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using ConnBurst.Results;


namespace ConnBurst.Cli;

/// <summary>
/// <c>connburst --version</c>: the tool's version and the OpenSSL it loaded, on one line
/// (<c>connburst 1.0.0+abc123 (OpenSSL 3.0.17 1 Jul 2025)</c>). The TLS figures depend on the libssl underneath as much
/// as on our code, so an image or a bug report names both (deploy/ runs this as the image's smoke test).
/// </summary>
internal static class VersionLine
{
    public static string Text()
    {
        var assembly = typeof(VersionLine).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        return $"connburst {version} ({MachineInfo.OpenSslVersion()})";
    }

    /// <summary>Replaces the action of System.CommandLine's built-in --version (which prints the version alone) on
    /// <paramref name="root"/>.</summary>
    public static void Install(RootCommand root)
    {
        foreach (var option in root.Options)
            if (option is VersionOption version) version.Action = new PrintAction();
    }

    private sealed class PrintAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Text());
            return ExitCodes.Ok;
        }
    }
}
