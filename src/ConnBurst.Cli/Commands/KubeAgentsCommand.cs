using System.CommandLine;
using System.Text.RegularExpressions;
using ConnBurst.Common;
using ConnBurst.Deploy;
using ConnBurst.Load;

namespace ConnBurst.Cli.Commands;

/// <summary>
/// <c>connburst kube agents --agents N ... -- BURST-OPTIONS</c>: one run of N burst agents as a ConfigMap (the start
/// time), a Secret (the client side of a PKI) and an Indexed Job. The burst options are parsed by burst's own command
/// and read by its binder, so a bad one fails here in one line, before anything is deployed; the pods then run them
/// exactly as given. Only the shard, the start and --print-results are the renderer's (docs/DECISIONS.md, "Deploy:
/// the manifests are rendered from the options").
/// </summary>
internal static partial class KubeAgentsCommand
{
    // Each pod's own part: set by the renderer from --agents and the ConfigMap, never typed.
    private static readonly string[] RendererOwned = ["--shard", "--start-at"];

    public static Command Create()
    {
        var agents = new Option<int>("--agents") { Description = "Agents N: one pod, one shard I/N of the run each", Required = true };
        var image = KubeCommand.ImageOption();
        var ns = KubeCommand.NamespaceOption();
        var name = new Option<string>("--name") { Description = "The Job's name (its ConfigMap is NAME-plan, a rendered Secret NAME-pki)",
            DefaultValueFactory = _ => "connburst-agents" };
        var startIn = new Option<string>("--start-in") { Description =
            "The agents start this long after the render (the ConfigMap's START_AT): room to apply, schedule and pull the image",
            DefaultValueFactory = _ => "2m" };
        var pki = new Option<string?>("--pki") { Description =
            "Render a Secret NAME-pki with the client side of this PKI directory (connburst certs)" };
        var secret = new Option<string?>("--secret") { Description =
            "Use this existing Secret instead: the PKI's manifest.json and the client files it names" };
        var monitorToken = KubeCommand.TokenSecretOption("--monitor-token-secret");
        var cpu = new Option<string>("--cpu") { Description = "CPU request of each agent pod (a Kubernetes quantity: 2, 1.5, 500m)",
            DefaultValueFactory = _ => "2" };
        var burstArgs = new Argument<string[]>("burst-options") { Description =
            "burst's options after --, exactly as burst takes them (--clients and --rate for the whole run)",
            Arity = ArgumentArity.ZeroOrMore };

        var cmd = new Command("agents",
            "Print one run of N burst agents: a ConfigMap with the start time, a Secret with the client PKI, an Indexed Job.")
        {
            agents, image, ns, name, startIn, pki, secret, cpu, monitorToken, burstArgs,
        };
        CommandAction.Set(cmd, (p, _) =>
        {
            var plan = Plan(p.GetValue(monitorToken)!, p.GetValue(agents), p.GetValue(image)!, KubeCommand.Namespace(p.GetValue(ns)),
                p.GetValue(name)!, p.GetValue(startIn)!, p.GetValue(pki), p.GetValue(secret), p.GetValue(cpu)!,
                AfterDoubleDash(p, p.GetValue(burstArgs) ?? []));
            // A pod has one address: more agents, not --source-ips, is what spreads its ports.
            foreach (var warning in plan.Warnings())
                Console.Error.WriteLine($"connburst kube agents: warning: {warning} (each pod; or more --agents)");
            Console.Out.Write(AgentsManifest.Render(plan));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>The burst options, which all come after <c>--</c>: a word before it is a mistyped kube option, not burst's.</summary>
    private static string[] AfterDoubleDash(ParseResult p, string[] burstArgs)
    {
        var dash = p.Tokens.ToList().FindIndex(t => t.Type == System.CommandLine.Parsing.TokenType.DoubleDash);
        var after = dash < 0 ? 0 : p.Tokens.Count - dash - 1;
        if (burstArgs.Length > after)
            throw new InputException($"'{burstArgs[0]}' is not a kube agents option (burst's options go after --)");
        return burstArgs;
    }

    private static AgentsPlan Plan(string monitorToken, int agents, string image, string? ns, string name, string startIn, string? pki,
        string? secret, string cpu, string[] burstArgs)
    {
        if (agents is < 1 or > Shard.MaxCount) throw new InputException($"--agents: {agents} must be between 1 and {Shard.MaxCount}");
        KubeText.CheckName(name, "--name");
        var wait = Durations.Parse(startIn, "--start-in");
        if (wait <= TimeSpan.Zero) throw new InputException("--start-in: must be positive");
        if ((pki is null) == (secret is null))
            throw new InputException("give --pki DIR (rendered as a Secret) or --secret NAME (one that exists)");
        if (secret is not null) KubeText.CheckName(secret, "--secret", 253);
        if (!Quantity().IsMatch(cpu)) throw new InputException($"--cpu: '{cpu}' is not a CPU quantity (e.g. 2, 1.5, 500m)");

        var binder = BurstOptionsBinder.ForBurst();
        var parse = BurstCommand.Create(binder).Parse(burstArgs);
        if (parse.Errors.Count > 0) throw new InputException($"burst options: {parse.Errors[0].Message}");
        foreach (var owned in RendererOwned)
        {
            if (parse.GetValue<string?>(owned) is not null)
                throw new InputException($"burst options: {owned} is set for each pod from --agents and the start time: leave it out");
        }
        var options = binder.Read(parse);
        if (options.Clients > 0 && agents > options.Clients)
            throw new InputException($"--agents: {agents} agents for {options.Clients} clients would leave some with none");
        int? metricsPort = parse.GetValue<string?>(BurstCommand.PrometheusOption) is { } listen
            ? HostPort.Parse(listen, BurstCommand.PrometheusOption).Port : null;

        return new AgentsPlan
        {
            Agents = agents,
            Name = name,
            Namespace = ns,
            Image = image,
            StartAt = DateTimeOffset.UtcNow + wait,
            SecretName = secret,
            Pki = pki is null ? null : ClientPkiSecret.Load(pki, options.PerClientCerts),
            BurstArgs = burstArgs,
            Options = options,
            MetricsPort = metricsPort,
            Cpu = cpu,
            MonitorTokenSecret = KubeText.CheckName(monitorToken, "--monitor-token-secret", 253),
            CommandLine = KubeCommand.CommandLine(),
        };
    }

    [GeneratedRegex(@"^([0-9]+(\.[0-9]+)?|[0-9]+m)$")]
    private static partial Regex Quantity();
}
