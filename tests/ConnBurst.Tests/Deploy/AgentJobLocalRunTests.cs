using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ConnBurst.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace ConnBurst.Tests.Deploy;

/// <summary>
/// The Indexed Job without a cluster: each pod's exact command from agents-job.yaml, run as a local process the way
/// the kubelet would start it ($(VAR) expanded from the container's env, the Secret's files where it is mounted),
/// against <c>serve mqtt</c> started from mqtt-server.yaml's command; then the pods' logs, prefixed as
/// <c>kubectl logs --prefix</c> prints them, merged with <c>connburst merge</c> as deploy/README.md says.
/// Only what a cluster provides and this machine does not is replaced: the Service name by the local server's
/// address, 0.0.0.0 and fixed ports by free loopback ports, and the plan's size by a small one.
/// </summary>
public sealed class AgentJobLocalRunTests
{
    private const int Clients = 30;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task EveryPodsCommandRunsItsShardAndTheirLogsMergeIntoOneCompleteRun()
    {
        var job = KubeManifests.Single("Job", "connburst-agents");
        var deployment = KubeManifests.Single("Deployment", "connburst-mqtt");
        var service = KubeManifests.Single("Service", "connburst-mqtt");
        var n = int.Parse(job.Str("spec", "completions")!, CultureInfo.InvariantCulture);
        var agent = job.Container("agent");
        using var dir = new TempDir();

        // The PKI as deploy/README.md makes it: the server certificate names the Service the agents verify.
        var serverName = KubeManifests.OptionValue(agent.Args, "--server-name")!;
        var certs = await CliProcess.RunAsync(Timeout, "certs", "--out", dir.Combine("pki"), "--revoked", "100", "--server-names",
            $"{serverName},localhost");
        Assert.True(certs.ExitCode == 0, certs.ToString());

        // serve mqtt from the Deployment's command, listening on loopback instead of the pod's 0.0.0.0:8884.
        var port = FreePort.Next();
        var server = deployment.Container("server");
        var serverArgs = Localize(server.Args, Mounts(deployment, server, dir, "server"), new()
        {
            ["--listen"] = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
                ["--prometheus"] = $"127.0.0.1:{FreePort.Next()}",
        });
        using var serve = CliProcess.Start(serverArgs);
        await serve.WaitForOutputAsync($"listening on 127.0.0.1:{port}", Timeout);

        // One START_AT for every pod, written as the README's `date -u -d '+2 min' ...` writes it.
        var startAt = DateTimeOffset.UtcNow.AddSeconds(12).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Assert.Equal(["connburst"], agent.Command); // the image's /usr/local/bin/connburst is this CLI
        var target = KubeManifests.OptionValue(agent.Args, "--target")!;
        Assert.Equal(service.Name, target.Split(':')[0]);
        var pods = Enumerable.Range(0, n).Select(i =>
        {
            var env = PodEnv(agent, index: i, configMaps: new() { ["connburst-plan"] = new() { ["START_AT"] = startAt } });
            var args = Localize(agent.Args.Select(a => KubeManifests.Expand(a, env)).ToList(), Mounts(job, agent, dir, $"agent-{i}"), new()
            {
                ["--target"] = $"127.0.0.1:{port}", ["--clients"] = Clients.ToString(CultureInfo.InvariantCulture), ["--rate"] = "60",
                ["--prometheus"] = $"127.0.0.1:{FreePort.Next()}",
            });
            return (Name: $"connburst-agents-{i}-{Guid.NewGuid().ToString("N")[..5]}", Process: CliProcess.Start(args, env));
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

        var merge = await CliProcess.RunAsync(Timeout, "merge", dir.Combine("agents.log"), "--out-file", dir.Combine("merged.json"));
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
        string>> configMaps)
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
            else
            {
                Assert.Fail($"env {name}: this test does not know how a pod would get it; teach PodEnv");
            }
        }
        return env;
    }

    /// <summary>Each volume mount as a local directory: a Secret's items copied from the PKI (key = file name), an emptyDir
    /// empty.</summary>
    private static Dictionary<string, string> Mounts(KubeObject workload, KubeContainer container, TempDir dir, string pod)
    {
        var mounts = new Dictionary<string, string>();
        foreach (var (name, mountPath, _) in container.Mounts)
        {
            var local = dir.Combine(pod, name);
            Directory.CreateDirectory(local);
            if (KubeYaml.Node(workload.Volume(name), "secret") is not null)
                foreach (var (key, path) in workload.SecretItems(name)) File.Copy(dir.Combine("pki", key), Path.Combine(local, path));
            mounts[mountPath] = local;
        }
        return mounts;
    }

    /// <summary>The arguments with mount paths mapped to local directories and the given options' values replaced.</summary>
    private static List<string> Localize(IReadOnlyList<string> args, Dictionary<string, string> mounts, Dictionary<string, string> values)
    {
        var result = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (i > 0 && values.TryGetValue(args[i - 1], out var replaced)) a = replaced;
            // The deepest mount holding the path, mapped once (the local directories are themselves under /tmp, a mount).
            var mount = mounts.Keys.Where(m => a == m || a.StartsWith(m + "/", StringComparison.Ordinal)).MaxBy(m => m.Length);
            result.Add(mount is null ? a : mounts[mount] + a[mount.Length..]);
        }
        foreach (var option in values.Keys) Assert.Contains(option, args); // a renamed option must not slip through unreplaced
        return result;
    }
}
