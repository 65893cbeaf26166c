using System.Collections;
using System.Reflection;
using k8s;
using k8s.Models;

namespace ConnBurst.Tests.Deploy;

/// <summary>
/// The strict schema check of a manifest, with no cluster (docs/DECISIONS.md, "Deploy: the manifests are checked
/// against the Kubernetes client's typed models"). Every document is loaded by the official C# client's own YAML
/// loader in its strict mode, into the typed model its apiVersion and kind name: an unknown field or a value of the
/// wrong type fails there. The models say nothing of which fields are required, so the API's required fields of the
/// types our manifests use are listed here, and a type missing from the list fails too, so that a new one is looked up.
/// </summary>
internal static class KubeSchema
{
    /// <summary>
    /// The "required" lists of the Kubernetes API's OpenAPI definitions (io.k8s.api.*), for every model type the
    /// rendered manifests reach. Property names as the client spells them.
    /// </summary>
    private static readonly Dictionary<Type, string[]> Required = new()
    {
        [typeof(V1ConfigMap)] = [], [typeof(V1Secret)] = [], [typeof(V1Job)] = [], [typeof(V1Deployment)] = [], [typeof(V1Service)] = [],
        [typeof(V1ObjectMeta)] = [],
        [typeof(V1JobSpec)] = ["Template"],
        [typeof(V1DeploymentSpec)] = ["Selector", "Template"],
        [typeof(V1ServiceSpec)] = [],
        [typeof(V1ServicePort)] = ["Port"],
        [typeof(V1PodTemplateSpec)] = [],
        [typeof(V1PodSpec)] = ["Containers"],
        [typeof(V1PodSecurityContext)] = [],
        [typeof(V1Sysctl)] = ["Name", "Value"],
        [typeof(V1TopologySpreadConstraint)] = ["MaxSkew", "TopologyKey", "WhenUnsatisfiable"],
        [typeof(V1LabelSelector)] = [],
        [typeof(V1Affinity)] = [],
        [typeof(V1PodAffinity)] = [],
        [typeof(V1PodAffinityTerm)] = ["TopologyKey"],
        [typeof(V1Container)] = ["Name"],
        [typeof(V1EnvVar)] = ["Name"],
        [typeof(V1EnvVarSource)] = [],
        [typeof(V1ObjectFieldSelector)] = ["FieldPath"],
        [typeof(V1ConfigMapKeySelector)] = ["Key"],
        [typeof(V1SecretKeySelector)] = ["Key"],
        [typeof(V1ContainerPort)] = ["ContainerPort"],
        [typeof(V1Probe)] = [],
        [typeof(V1HTTPGetAction)] = ["Port"],
        [typeof(V1ResourceRequirements)] = [],
        [typeof(V1SecurityContext)] = [],
        [typeof(V1Capabilities)] = [],
        [typeof(V1VolumeMount)] = ["MountPath", "Name"],
        [typeof(V1Volume)] = ["Name"],
        [typeof(V1SecretVolumeSource)] = [],
        [typeof(V1KeyToPath)] = ["Key", "Path"],
        [typeof(V1EmptyDirVolumeSource)] = [],
    };

    /// <summary>Loads every document of <paramref name="yaml"/> strictly; throws <see cref="KubeSchemaException"/> naming the first
    /// problem.</summary>
    public static IReadOnlyList<object> Check(string yaml, string source)
    {
        List<object> objects;
        try
        {
            objects = KubernetesYaml.LoadAllFromString(yaml, strict: true);
        }
        catch (Exception e)
        {
            throw new KubeSchemaException($"{source}: {Messages(e)}");
        }
        var problems = new List<string>();
        foreach (var o in objects)
        {
            if (o is not IKubernetesObject<V1ObjectMeta> k || string.IsNullOrEmpty(k.Metadata?.Name))
            {
                problems.Add($"{o.GetType().Name}: no metadata.name");
                continue;
            }
            Walk(o, $"{k.Kind} {k.Metadata.Name}", problems);
        }
        if (problems.Count > 0) throw new KubeSchemaException($"{source}: {string.Join("; ", problems)}");
        return objects;
    }

    private static void Walk(object model, string path, List<string> problems)
    {
        var type = model.GetType();
        if (!Required.TryGetValue(type, out var required))
        {
            problems.Add($"{path}: {type.Name} has no list of required fields here: add it from the Kubernetes API's OpenAPI definition");
            return;
        }
        foreach (var name in required)
            if (type.GetProperty(name)!.GetValue(model) is null) problems.Add($"{path}: required field {JsonName(type, name)} is missing");
        foreach (var p in type.GetProperties())
        {
            var value = p.GetValue(model);
            var at = $"{path}.{JsonName(type, p.Name)}";
            if (value is null || value is string || !IsModel(value.GetType()) && value is not IEnumerable) continue;
            if (value is IDictionary dict)
            {
                foreach (DictionaryEntry e in dict)
                    if (e.Value is not null && IsModel(e.Value.GetType())) Walk(e.Value, $"{at}.{e.Key}", problems);
            }
            else if (value is IEnumerable items)
            {
                var i = 0;
                foreach (var item in items) if (item is not null && IsModel(item.GetType())) Walk(item, $"{at}[{i++}]", problems);
            }
            else
            {
                Walk(value, at, problems);
            }
        }
    }

    // The client's models, minus the two it writes as scalars (a quantity such as 768Mi; a port number or name).
    private static bool IsModel(Type t) =>
        t.Namespace == typeof(V1Pod).Namespace && t != typeof(ResourceQuantity) && t != typeof(IntOrString);

    private static string JsonName(Type type, string property) =>
        type.GetProperty(property)!.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()?.Name ?? property;

    private static string Messages(Exception e)
    {
        var parts = new List<string>();
        for (var x = e; x is not null; x = x.InnerException)
            parts.Add(x is YamlDotNet.Core.YamlException y ? $"{y.Message} (line {y.Start.Line}, column {y.Start.Column})" : x.Message);
        return string.Join(" <- ", parts.Distinct());
    }
}

internal sealed class KubeSchemaException(string message) : Exception(message);
