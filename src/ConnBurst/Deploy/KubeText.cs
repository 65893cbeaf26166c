using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ConnBurst.Common;

namespace ConnBurst.Deploy;

/// <summary>
/// The few rules every rendered manifest follows when it writes a value: strings double-quoted (YAML 1.1 would read
/// <c>30000</c>, <c>on</c> or <c>0.9</c> as something else, and kubectl refuses a number where a string belongs), names
/// checked against Kubernetes' own rules, and the labels and metadata every object carries.
/// </summary>
internal static partial class KubeText
{
    /// <summary>A double-quoted YAML scalar: the JSON escapes, which YAML's double-quoted style accepts.</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when char.IsControl(c) => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    /// <summary>
    /// A container argument taken literally: Kubernetes expands <c>$(NAME)</c> in command and args and turns <c>$$</c>
    /// into <c>$</c>, so every <c>$</c> of an argument the user typed is doubled.
    /// </summary>
    public static string Literal(string arg) => arg.Replace("$", "$$", StringComparison.Ordinal);

    /// <summary>A YAML block sequence of quoted strings, each line indented by <paramref name="indent"/> spaces.</summary>
    public static string List(IEnumerable<string> items, int indent) =>
        string.Join('\n', items.Select(i => new string(' ', indent) + "- " + Quote(i)));

    /// <summary>
    /// A name Kubernetes accepts for a Job, a Service or a namespace (an RFC 1123 label), short enough for what is
    /// derived from it: the Job's pods are NAME-INDEX-XXXXX and its ConfigMap NAME-plan.
    /// </summary>
    public static string CheckName(string name, string what, int maxLength = 50)
    {
        if (!Label().IsMatch(name) || name.Length > maxLength)
        {
            throw new InputException(
                $"{what}: '{name}' is not a Kubernetes name (lower-case letters, digits and '-', starting and ending with a letter or " +
                $"digit, at most {maxLength} characters)");
        }
        return name;
    }

    /// <summary>The metadata block of an object (two-space indented under <c>metadata:</c>).</summary>
    public static string Metadata(string name, string? ns, string component) =>
        $"""
          name: {name}
        {(ns is null ? "" : $"  namespace: {ns}\n")}  labels:
            app.kubernetes.io/name: connburst
            app.kubernetes.io/component: {component}
        """;

    /// <summary>The labels of one component, as a selector's matchLabels or a pod template's labels, at <paramref name="indent"/>
    /// spaces.</summary>
    public static string Labels(string component, int indent)
    {
        var pad = new string(' ', indent);
        return $"{pad}app.kubernetes.io/name: connburst\n{pad}app.kubernetes.io/component: {component}";
    }

    /// <summary>The uid and gid the image's Containerfile creates; Secret files are group-readable for it.</summary>
    public const int User = 10001;

    /// <summary>The head of a one-replica Deployment of <paramref name="component"/>, up to its pod template's <c>spec:</c>, with
    /// the scrape annotations for Prometheus on <paramref name="metricsPort"/>.</summary>
    public static string DeploymentHead(string name, string? ns, string component, int metricsPort) =>
        $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
        {Metadata(name, ns, component)}
        spec:
          replicas: 1
          selector:
            matchLabels:
        {Labels(component, 6)}
          template:
            metadata:
              labels:
        {Labels(component, 8)}
        {Scrape(metricsPort, 6)}
            spec:
        """;

    /// <summary>A pod template's annotations for the Prometheus community chart's kubernetes-pods scrape job.</summary>
    public static string Scrape(int port, int indent) => Indent(indent,
        $"""
        annotations:
          prometheus.io/scrape: "true"
          prometheus.io/port: "{port.ToString(CultureInfo.InvariantCulture)}"
          prometheus.io/path: /metrics
        """);

    /// <summary>The pod's securityContext: the image's user, never root (its sysctls, if any, follow).</summary>
    public static string PodSecurity(int indent) => Indent(indent,
        $"""
        securityContext:
          runAsNonRoot: true
          runAsUser: {User}
          runAsGroup: {User}
          fsGroup: {User}
        """);

    /// <summary>A container's securityContext: a read-only root, no privilege, no capability.</summary>
    public static string ContainerSecurity(int indent) => Indent(indent,
        """
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities:
            drop: ["ALL"]
        """);

    private static string Indent(int indent, string lines) =>
        string.Join('\n', lines.Split('\n').Select(l => new string(' ', indent) + l));

    /// <summary>The image this build of the tool runs in: what deploy/build-image.sh tags (its version, no +commit).</summary>
    public static string DefaultImage(string informationalVersion) => $"localhost/connburst:{informationalVersion.Split('+')[0]}";

    /// <summary>A command line as a shell would take it back: arguments quoted only when they need it.</summary>
    public static string ShellLine(IEnumerable<string> args) =>
        string.Join(' ', args.Select(a => Plain().IsMatch(a) ? a : "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    [GeneratedRegex(@"^[A-Za-z0-9_./:=,+@%-]+$")]
    private static partial Regex Plain();
}
