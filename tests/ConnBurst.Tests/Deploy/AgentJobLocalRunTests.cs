using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ConnBurst.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace ConnBurst.Tests.Deploy;

/// <summary>
/// A rendered run without a cluster: <c>kube agents --agents 4</c>'s Indexed Job, each pod's exact command run as a
/// local process the way the kubelet would start it ($(VAR) expanded from the container's env, the ConfigMap's start
/// time, the rendered Secret's files where it is mounted, its working directory), against <c>serve mqtt</c> started
/// from <c>kube server</c>'s Deployment; then the pods' logs, prefixed as <c>kubectl logs --prefix</c> prints them,
/// merged with <c>connburst merge</c> as deploy/README.md says. Only what a cluster provides and this machine does not
/// is replaced: the Service name by the local server's address, 0.0.0.0 and fixed ports by free loopback ports, and
/// the pods' file systems by a directory each.
/// </summary>
public sealed class AgentJobLocalRunTests
{
    private const int Agents = 4;
    private const int Clients = 30;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task EveryPodsCommandRunsItsShardAndTheirLogsMergeIntoOneCompleteRun()
    {
        using var dir = new TempDir();

        // The PKI as deploy/README.md makes it: the server certificate names the Service the agents verify.
        var certs = await CliProcess.RunAsync(Timeout, "certs", "--out", dir.Combine("pki"), "--revoked", "100", "--server-names",
            "connburst-mqtt,localhost");
        Assert.True(certs.ExitCode == 0, certs.ToString());

        // serve mqtt from kube server's Deployment, listening on loopback instead of the pod's 0.0.0.0:8884.
        var serverObjects = KubeManifests.Parse(await KubeRender.YamlAsync("server"), "kube server");
        var deployment = serverObjects.Single(o => o.Kind == "Deployment");
        var service = serverObjects.Single(o => o.Kind == "Service");
        var port = FreePort.Next();
        var server = deployment.Container("server");
        var serverRoot = PodRoot(deployment, server, dir, "server",
            secrets: new() { ["connburst-server-pki"] = FromDir(dir.Combine("pki")) });
        var serverArgs = Localize(server.Args, serverRoot, server, new()
        {
            ["--bind"] = "127.0.0.1", ["--port"] = port.ToString(CultureInfo.InvariantCulture),
            ["--prometheus"] = $"127.0.0.1:{FreePort.Next()}",
        });
        using var serve = CliProcess.Start(serverArgs);
        await serve.WaitForOutputAsync($"listening on 127.0.0.1:{port}", Timeout);

        // The run as a user renders it: N once, its Secret from the PKI, a start time a little ahead.
        var yaml = await KubeRender.YamlAsync("agents", "--agents", Agents.ToString(CultureInfo.InvariantCulture), "--pki",
            dir.Combine("pki"), "--start-in", "20s", "--", "--target", $"{service.Name}:8884", "--server-name", service.Name, "--clients",
            Clients.ToString(CultureInfo.InvariantCulture), "--rate", "60", "--prometheus", "0.0.0.0:9465");
        KubeSchema.Check(yaml, "kube agents");
        var run = KubeManifests.Parse(yaml, "kube agents");
        var job = run.Single(o => o.Kind == "Job");
        var n = int.Parse(job.Str("spec", "completions")!, CultureInfo.InvariantCulture);
        Assert.Equal(Agents, n);
        var configMaps = run.Where(o => o.Kind == "ConfigMap").ToDictionary(o => o.Name, o => o.Strings("data"));
        var secrets = run.Where(o => o.Kind == "Secret").ToDictionary(o => o.Name,
            o => o.Strings("data").ToDictionary(kv => kv.Key, kv => Convert.FromBase64String(kv.Value)));
        var agent = job.Container("agent");
        Assert.Equal(["connburst"], agent.Command); // the image's /usr/local/bin/connburst is this CLI

        var pods = Enumerable.Range(0, n).Select(i =>
        {
            var root = PodRoot(job, agent, dir, $"agent-{i}", secrets);
            var env = PodEnv(agent, index: i, configMaps, secrets).ToDictionary(kv => kv.Key, kv => LocalPath(kv.Value, root, agent));
            var args = Localize(agent.Args.Select(a => KubeManifests.Expand(a, env)).ToList(), root, agent, new()
            {
                ["--target"] = $"127.0.0.1:{port}", ["--prometheus"] = $"127.0.0.1:{FreePort.Next()}",
            });
            var cwd = LocalPath(KubeYaml.Str(agent.Node, "workingDir")!, root, agent);
            return (Name: $"{job.Name}-{i}-{Guid.NewGuid().ToString("N")[..5]}", Process: CliProcess.Start(args, env, cwd));
        }).ToList();

        var log = new StringBuilder();
        try
        {
            foreach (var pod in pods)
            {
                var r = await pod.Process.WaitAsync(Timeout);
                Assert.True(r.ExitCode == 0, $"{pod.Name}: {r}");
                // A container's log holds stdout and stderr; --prefix puts [pod/NAME/CONTAINER] before every line.
                foreach (var line in (r.Stdout + r.Stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    log.Append($"[pod/{pod.Name}/{agent.Name}] ").Append(line.TrimEnd('\r')).Append('\n');
            }
        }
        finally
        {
            foreach (var pod in pods) pod.Process.Dispose();
        }
        File.WriteAllText(dir.Combine("agents.log"), log.ToString());

        var merge = await CliProcess.RunAsync(Timeout, "merge", dir.Combine("agents.log"), "--out", dir.Combine("merged.json"));
        Assert.True(merge.ExitCode == 0, merge.ToString());
        Assert.Equal(dir.Combine("merged.json"), merge.LastLine);

        // Each pod ran its own shard; the merged run is their sum and names every shard.
        var agents = log.ToString().Split('\n').Where(l => l.Contains("@connburst-results ", StringComparison.Ordinal))
            .Select(l => JsonNode.Parse(l[(l.IndexOf("@connburst-results ", StringComparison.Ordinal) + "@connburst-results ".Length)..])!)
            .ToList();
        Assert.Equal(Enumerable.Range(0, n), agents.Select(a => (int)a["config"]!["shard"]!["index"]!).Order());
        var merged = JsonNode.Parse(File.ReadAllText(dir.Combine("merged.json")))!;
        foreach (var count in new[] { "attempted", "connacks", "connected" })
            Assert.Equal(agents.Sum(a => (long)a["counts"]![count]!), (long)merged["counts"]![count]!);
        Assert.Equal(Clients, (long)merged["counts"]!["connacks"]!); // every client of the plan connected, once
        Assert.Equal(n, (int)merged["shards"]!["count"]!);
        Assert.Equal(Enumerable.Range(0, n), merged["shards"]!["present"]!.AsArray().Select(x => (int)x!));
        Assert.Empty(merged["shards"]!["missing"]!.AsArray());
        Assert.Equal(n, merged["agents"]!.AsArray().Count);
    }

    /// <summary>The container's environment as the kubelet builds it, for pod <paramref name="index"/> of the Indexed Job.</summary>
    private static Dictionary<string, string> PodEnv(KubeContainer container, int index, Dictionary<string, Dictionary<string,
        string>> configMaps, Dictionary<string, Dictionary<string, byte[]>> secrets)
    {
        // The Job controller adds JOB_COMPLETION_INDEX to every container of an Indexed Job's pods.
        var env = new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = index.ToString(CultureInfo.InvariantCulture) };
        var annotations = new Dictionary<string, string> { ["batch.kubernetes.io/job-completion-index"] = env["JOB_COMPLETION_INDEX"] };
        foreach (var e in container.Env)
        {
            var name = KubeYaml.Str(e, "name")!;
            if (KubeYaml.Str(e, "value") is { } value)
            {
                env[name] = KubeManifests.Expand(value, env);
            }
            else if (KubeYaml.Str(e, "valueFrom", "fieldRef", "fieldPath") is { } field
                && field.StartsWith("metadata.annotations['", StringComparison.Ordinal))
            {
                env[name] = annotations[field["metadata.annotations['".Length..^2]];
            }
            else if (KubeYaml.Node(e, "valueFrom", "configMapKeyRef") is YamlMappingNode cm)
            {
                env[name] = configMaps[KubeYaml.Str(cm, "name")!][KubeYaml.Str(cm, "key")!];
            }
            else if (KubeYaml.Node(e, "valueFrom", "secretKeyRef") is YamlMappingNode sk)
            {
                // An optional Secret that does not exist leaves the variable unset, as the kubelet does.
                if (secrets.TryGetValue(KubeYaml.Str(sk, "name")!, out var secret))
                    env[name] = Encoding.UTF8.GetString(secret[KubeYaml.Str(sk, "key")!]);
                else
                    Assert.Equal("true", KubeYaml.Str(sk, "optional"));
            }
            else
            {
                Assert.Fail($"env {name}: this test does not know how a pod would get it; teach PodEnv");
            }
        }
        return env;
    }

    /// <summary>A Secret kubectl would make from every file of a directory (kubectl create secret generic --from-file=DIR/NAME).</summary>
    private static Dictionary<string, byte[]> FromDir(string dir) =>
        Directory.GetFiles(dir).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    /// <summary>
    /// The pod's file system as a local directory: each volume mounted at ROOT + its mount path, a Secret's items (or all its
    /// keys) as files, an emptyDir empty.
    /// </summary>
    private static string PodRoot(KubeObject workload, KubeContainer container, TempDir dir, string pod,
        Dictionary<string, Dictionary<string, byte[]>> secrets)
    {
        var root = dir.Combine(pod);
        foreach (var (name, mountPath, _) in container.Mounts)
        {
            var local = root + mountPath;
            Directory.CreateDirectory(local);
            if (KubeYaml.Node(workload.Volume(name), "secret") is YamlMappingNode secret)
            {
                var data = secrets[KubeYaml.Str(secret, "secretName")!];
                var items = workload.SecretItems(name);
                foreach (var (key, path) in items.Count > 0 ? items : data.Keys.Select(k => (k, k)).ToList())
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(local, path))!);
                    File.WriteAllBytes(Path.Combine(local, path), data[key]);
                }
            }
        }
        return root;
    }

    /// <summary>A path in the pod as the local directory standing for it: a mount, a file in one, or a directory above one.</summary>
    private static string LocalPath(string value, string root, KubeContainer container) =>
        value.StartsWith('/') && container.Mounts.Any(m => value == m.MountPath
            || value.StartsWith(m.MountPath + "/", StringComparison.Ordinal)
            || m.MountPath.StartsWith(value + "/", StringComparison.Ordinal)) ? root + value : value;

    /// <summary>The arguments with pod paths mapped to local directories and the given options' values replaced.</summary>
    private static List<string> Localize(IReadOnlyList<string> args, string root, KubeContainer container,
        Dictionary<string, string> values)
    {
        var result = new List<string>();
        for (var i = 0; i < args.Count; i++)
            result.Add(i > 0 && values.TryGetValue(args[i - 1], out var replaced) ? replaced : LocalPath(args[i], root, container));
        foreach (var option in values.Keys) Assert.Contains(option, args); // a renamed option must not slip through unreplaced
        return result;
    }
}
