using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace ConnBurst.Tests.Deploy;

/// <summary>
/// deploy/ as the tests read it: every object of deploy/kubernetes/*.yaml (multi-document files), with the few
/// pod-spec accessors the tests need, and Kubernetes' <c>$(VAR)</c> expansion of command and args.
/// </summary>
internal static class KubeManifests
{
    public static string DeployDir { get; } = FindDeployDir();
    public static string KubernetesDir => Path.Combine(DeployDir, "kubernetes");

    /// <summary>Every file under deploy/kubernetes/, in name order.</summary>
    public static IReadOnlyList<string> Files => Directory.GetFiles(KubernetesDir, "*.yaml").Order(StringComparer.Ordinal).ToList();

    public static IReadOnlyList<KubeObject> LoadAll() =>
        Files.SelectMany(f => Parse(File.ReadAllText(f), Path.GetFileName(f))).ToList();

    /// <summary>The objects of a multi-document YAML text; <paramref name="source"/> names it in messages.</summary>
    public static IReadOnlyList<KubeObject> Parse(string yaml, string source)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().Select(map => new KubeObject(source, map)).ToList();
    }

    public static KubeObject Single(string kind, string name) =>
        LoadAll().SingleOrDefault(o => o.Kind == kind && o.Name == name)
        ?? throw new InvalidOperationException($"no {kind} {name} in {KubernetesDir}");

    /// <summary>
    /// Kubernetes' expansion of a container's command and args: <c>$(NAME)</c> becomes the variable's value when the
    /// container defines it, and stays as written when not; <c>$$</c> is a literal <c>$</c>.
    /// </summary>
    public static string Expand(string text, IReadOnlyDictionary<string, string> env) =>
        Regex.Replace(text, @"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)", m =>
            m.Value == "$$" ? "$" : env.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    /// <summary>The value after <paramref name="option"/> in an argument list, or null.</summary>
    public static string? OptionValue(IReadOnlyList<string> args, string option)
    {
        var i = args.ToList().IndexOf(option);
        return i >= 0 && i + 1 < args.Count ? args[i + 1] : null;
    }

    private static string FindDeployDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "deploy");
            if (Directory.Exists(Path.Combine(candidate, "kubernetes"))) return candidate;
        }
        throw new DirectoryNotFoundException("deploy/kubernetes not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>One Kubernetes object from a manifest file.</summary>
internal sealed class KubeObject(string file, YamlMappingNode root)
{
    public string File { get; } = file;
    public YamlMappingNode Root { get; } = root;
    public string Kind => Str("kind") ?? "";
    public string ApiVersion => Str("apiVersion") ?? "";
    public string Name => Str("metadata", "name") ?? "";

    public YamlNode? Node(params string[] path) => KubeYaml.Node(Root, path);
    public string? Str(params string[] path) => (Node(path) as YamlScalarNode)?.Value;
    public YamlMappingNode Map(params string[] path) => Node(path) as YamlMappingNode ?? throw Missing(path);
    public Dictionary<string, string> Strings(params string[] path) => KubeYaml.Strings(Node(path) as YamlMappingNode);

    /// <summary>The pod template's spec of a Job or Deployment.</summary>
    public YamlMappingNode PodSpec => Map("spec", "template", "spec");
    public IReadOnlyList<KubeContainer> Containers =>
        KubeYaml.Items(PodSpec, "containers").Select(c => new KubeContainer(c)).ToList();
    public KubeContainer Container(string name) => Containers.Single(c => c.Name == name);

    /// <summary>The pod's volume of this name (its "secret" or "emptyDir" mapping and the rest).</summary>
    public YamlMappingNode Volume(string name) =>
        KubeYaml.Items(PodSpec, "volumes").Single(v => KubeYaml.Str(v, "name") == name);

    /// <summary>A Secret volume's items as (key in the Secret, path in the mount).</summary>
    public IReadOnlyList<(string Key, string Path)> SecretItems(string volume) =>
        KubeYaml.Items(Volume(volume), "secret", "items").Select(i => (KubeYaml.Str(i, "key")!, KubeYaml.Str(i, "path")!)).ToList();

    private InvalidOperationException Missing(string[] path) => new($"{File}: {Kind} {Name} has no {string.Join('.', path)}");
}

/// <summary>One container of a pod template.</summary>
internal sealed class KubeContainer(YamlMappingNode node)
{
    public YamlMappingNode Node { get; } = node;
    public string Name => KubeYaml.Str(Node, "name") ?? "";
    public string Image => KubeYaml.Str(Node, "image") ?? "";
    public IReadOnlyList<string> Command => KubeYaml.Scalars(Node, "command");
    public IReadOnlyList<string> Args => KubeYaml.Scalars(Node, "args");
    public IReadOnlyList<YamlMappingNode> Env => KubeYaml.Items(Node, "env");
    public IReadOnlyList<(string Name, string MountPath, bool ReadOnly)> Mounts =>
        KubeYaml.Items(Node, "volumeMounts")
            .Select(m => (KubeYaml.Str(m, "name")!, KubeYaml.Str(m, "mountPath")!, KubeYaml.Str(m, "readOnly") == "true")).ToList();
    public IReadOnlyDictionary<string, int> Ports =>
        KubeYaml.Items(Node, "ports").ToDictionary(p => KubeYaml.Str(p, "name") ?? "", p => int.Parse(KubeYaml.Str(p, "containerPort")!));

    public string MountPath(string volume) => Mounts.Single(m => m.Name == volume).MountPath;
}

internal static class KubeYaml
{
    public static YamlNode? Node(YamlNode start, params string[] path)
    {
        YamlNode? node = start;
        foreach (var key in path)
            node = node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;
        return node;
    }

    public static string? Str(YamlNode start, params string[] path) => (Node(start, path) as YamlScalarNode)?.Value;

    public static IReadOnlyList<YamlMappingNode> Items(YamlNode start, params string[] path) =>
        (Node(start, path) as YamlSequenceNode)?.Children.OfType<YamlMappingNode>().ToList() ?? [];

    public static IReadOnlyList<string> Scalars(YamlNode start, params string[] path) =>
        (Node(start, path) as YamlSequenceNode)?.Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToList() ?? [];

    public static Dictionary<string, string> Strings(YamlMappingNode? map) =>
        map?.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => (kv.Value as YamlScalarNode)?.Value ?? "") ?? [];

    /// <summary>Every scalar under <paramref name="start"/>, with its path, for checks over the whole document.</summary>
    public static IEnumerable<(string Path, YamlScalarNode Scalar)> AllScalars(YamlNode start, string path = "")
    {
        switch (start)
        {
            case YamlScalarNode s:
                yield return (path, s);
                break;
            case YamlMappingNode m:
                foreach (var (k, v) in m.Children)
                    foreach (var x in AllScalars(v, $"{path}.{((YamlScalarNode)k).Value}")) yield return x;
                break;
            case YamlSequenceNode q:
                for (var i = 0; i < q.Children.Count; i++)
                    foreach (var x in AllScalars(q.Children[i], $"{path}[{i}]")) yield return x;
                break;
        }
    }
}
