using System.CommandLine;
using System.Reflection;
using ConnBurst.Common;
using ConnBurst.Deploy;

namespace ConnBurst.Cli.Commands;

/// <summary>
/// <c>connburst kube</c>: Kubernetes manifests printed from validated options, ready for <c>kubectl apply -f -</c>
/// (deploy/README.md; docs/DECISIONS.md, "Deploy: the manifests are rendered from the options"). <c>agents</c> has
/// its own file; <c>server</c> and <c>monitor</c> take only where they run.
/// </summary>
internal static class KubeCommand
{
    public static Command Create()
    {
        var cmd = new Command("kube",
            "Print Kubernetes manifests (multi-document YAML for kubectl apply -f -): burst agents as an Indexed Job, the reference " +
            "server, the server's monitor.");
        cmd.Subcommands.Add(KubeAgentsCommand.Create());
        cmd.Subcommands.Add(Server());
        cmd.Subcommands.Add(Monitor());
        return cmd;
    }

    private static Command Server()
    {
        var (image, ns) = (ImageOption(), NamespaceOption());
        var cmd = new Command("server",
            "Print serve mqtt as a Deployment and the headless Service connburst-mqtt:8884 the agents target.") { image, ns };
        CommandAction.Set(cmd, (p, _) =>
        {
            Console.Out.Write(ServerManifest.Render(CommandLine(), p.GetValue(image)!, Namespace(p.GetValue(ns))));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command Monitor()
    {
        var (image, ns) = (ImageOption(), NamespaceOption());
        var secret = TokenSecretOption("--token-secret");
        var cmd = new Command("monitor",
            "Print connburst monitor for the in-cluster server: a pod on the server's node that sees its process and the node's CPUs, " +
            "and a Service for its control port.") { image, ns, secret };
        CommandAction.Set(cmd, (p, _) =>
        {
            var token = KubeText.CheckName(p.GetValue(secret)!, "--token-secret", 253);
            Console.Out.Write(MonitorManifest.Render(CommandLine(), p.GetValue(image)!, Namespace(p.GetValue(ns)), token));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>The image every manifest runs: what deploy/build-image.sh tags this build as.</summary>
    public static Option<string> ImageOption() => new("--image")
    {
        Description = "Container image (default: the tag deploy/build-image.sh gives this version)",
        DefaultValueFactory = _ => KubeText.DefaultImage(
            typeof(KubeCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0"),
    };

    /// <summary>The Secret with the monitor's control token: the monitor's pod requires it, the agents' pods read it if it
    /// exists.</summary>
    public static Option<string> TokenSecretOption(string name) => new(name)
    {
        Description = $"Secret whose key '{MonitorManifest.TokenKey}' is the monitor's control token",
        DefaultValueFactory = _ => MonitorManifest.DefaultTokenSecret,
    };

    public static Option<string?> NamespaceOption() => new("--namespace") { Description =
        "Namespace of every object (default: none written, so kubectl's current one)" };

    public static string? Namespace(string? ns) => ns is null ? null : KubeText.CheckName(ns, "--namespace", 63);

    /// <summary>This process's command line, as the first line of what it prints: the output says how to make it again.</summary>
    public static string CommandLine() =>
        ("connburst " + KubeText.ShellLine(Environment.GetCommandLineArgs().Skip(1))).ReplaceLineEndings(" ");
}
