using System.Reflection;
using System.Text.RegularExpressions;
using ConnBurst.Cli;
using ConnBurst.Tests.Infrastructure;
using YamlDotNet.Core;

namespace ConnBurst.Tests.Deploy;

/// <summary>
/// deploy/kubernetes/ checked the way a cluster would read it, with no cluster: parsed YAML, the Indexed Job's
/// command and its index, the Secrets' mounts against the paths the commands use, and the names that tie the
/// manifests to the Service, the image build and the README's launch commands.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static KubeObject Job => KubeManifests.Single("Job", "connburst-agents");
    private static KubeObject Server => KubeManifests.Single("Deployment", "connburst-mqtt");
    private static KubeObject Service => KubeManifests.Single("Service", "connburst-mqtt");

    [Fact]
    public void EveryManifestParsesIntoTheAgentsRunTheServerAndItsMonitor()
    {
        var objects = KubeManifests.LoadAll();
        Assert.Equal(["ConfigMap", "Deployment", "Deployment", "Job", "Service", "Service"],
            objects.Select(o => o.Kind).Order(StringComparer.Ordinal));
        var apiVersions = new Dictionary<string, string>
        {
            ["Job"] = "batch/v1", ["Deployment"] = "apps/v1", ["Service"] = "v1", ["ConfigMap"] = "v1",
        };
        foreach (var o in objects)
        {
            Assert.Equal(apiVersions[o.Kind], o.ApiVersion);
            Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", o.Name); // a DNS label: Services and Job pod names need one
        }
    }

    [Fact]
    public void AgentJobIsIndexedWithOnePodPerShardAndNeverRetriesAShard()
    {
        Assert.Equal("Indexed", Job.Str("spec", "completionMode"));
        Assert.Equal(Job.Str("spec", "completions"), Job.Str("spec", "parallelism")); // every shard runs at once
        Assert.Equal("0", Job.Str("spec", "backoffLimit"));
        Assert.Equal("Never", Job.Str("spec", "template", "spec", "restartPolicy"));
        Assert.Null(Job.Node("spec", "ttlSecondsAfterFinished")); // the logs carry the results: keep the pods
    }

    [Fact]
    public void EachAgentRunsItsShardOfOnePlanFromTheSharedStartTimeAndPrintsItsResults()
    {
        var agent = Job.Containers.Single();
        var args = agent.Args;
        Assert.Equal(["connburst"], agent.Command);
        Assert.Equal("burst", args[0]);
        Assert.Equal($"$(JOB_COMPLETION_INDEX)/{Job.Str("spec", "completions")}", KubeManifests.OptionValue(args, "--shard"));
        Assert.Equal("$(START_AT)", KubeManifests.OptionValue(args, "--start-at"));
        Assert.Contains("--print-results", args);

        // START_AT comes from the ConfigMap rendered beside the Job; the index, if declared, from the Job controller's annotation.
        var env = agent.Env.ToDictionary(e => KubeYaml.Str(e, "name")!);
        var plan = KubeManifests.LoadAll().Single(o => o.Kind == "ConfigMap" && o.File == Job.File);
        Assert.Equal(plan.Name, KubeYaml.Str(env["START_AT"], "valueFrom", "configMapKeyRef", "name"));
        Assert.True(DateTimeOffset.TryParse(plan.Str("data", KubeYaml.Str(env["START_AT"], "valueFrom", "configMapKeyRef", "key")!),
            System.Globalization.CultureInfo.InvariantCulture, out _));
        if (env.TryGetValue("JOB_COMPLETION_INDEX", out var index))
        {
            Assert.Equal("metadata.annotations['batch.kubernetes.io/job-completion-index']",
                KubeYaml.Str(index, "valueFrom", "fieldRef", "fieldPath"));
        }

        // Results go under the working directory, a writable emptyDir (the root file system is read-only).
        var workingDir = KubeYaml.Str(agent.Node, "workingDir")!;
        var mount = agent.Mounts.Single(m => m.MountPath == workingDir);
        Assert.NotNull(KubeYaml.Node(Job.Volume(mount.Name), "emptyDir"));
        Assert.Equal("true", KubeYaml.Str(agent.Node, "securityContext", "readOnlyRootFilesystem"));
    }

    [Fact]
    public void AgentsFindTheirPkiInTheMountedSecretWhereBurstLooksByDefault()
    {
        var agent = Job.Container("agent");
        var mount = agent.Mounts.Single(m => m.Name == "pki");
        Assert.True(mount.ReadOnly);
        Assert.Equal("connburst-pki", KubeYaml.Str(Job.Volume("pki"), "secret", "secretName"));
        // No PKI option: burst loads $CONNBURST_HOME/pki, its manifest and the client files it names.
        var home = agent.Env.Single(e => KubeYaml.Str(e, "name") == "CONNBURST_HOME");
        Assert.Equal($"{KubeYaml.Str(home, "value")}/pki", mount.MountPath);
        foreach (var option in new[] { "--pki", "--cert", "--key", "--ca" }) Assert.DoesNotContain(option, agent.Args);
    }

    [Fact]
    public void ServerReadsItsPkiManifestAndEveryFileItNamesFromTheMountedSecret()
    {
        var server = Server.Container("server");
        var mount = server.Mounts.Single(m => m.Name == "pki");
        Assert.True(mount.ReadOnly);
        Assert.Equal("connburst-server-pki", KubeYaml.Str(Server.Volume("pki"), "secret", "secretName"));
        Assert.Equal(["serve", "mqtt"], server.Args.Take(2));
        Assert.Equal(mount.MountPath, KubeManifests.OptionValue(server.Args, "--pki"));
        var m = TestPki.Manifest;
        var needed = new[] { "manifest.json", m.Ca.Cert, m.Server.Cert, m.Server.Key, m.Crl };
        Assert.Equal(needed.Order(), Server.SecretItems("pki").Select(i => i.Path).Order());
        Assert.All(Server.SecretItems("pki"), i => Assert.Equal(i.Key, i.Path));
    }

    [Fact]
    public void ServiceSelectsTheServerPodsAndTheAgentsTargetItByNameAndPort()
    {
        var podLabels = Server.Strings("spec", "template", "metadata", "labels");
        Assert.All(Server.Strings("spec", "selector", "matchLabels"), kv => Assert.Equal(kv.Value, podLabels[kv.Key]));
        var selector = Service.Strings("spec", "selector");
        Assert.NotEmpty(selector);
        Assert.All(selector, kv => Assert.Equal(kv.Value, podLabels[kv.Key]));
        // The agents' pods must not match it: they do not listen on 8884.
        var agentLabels = Job.Strings("spec", "template", "metadata", "labels");
        Assert.False(selector.All(kv => agentLabels.GetValueOrDefault(kv.Key) == kv.Value));

        var port = KubeYaml.Items(Service.Root, "spec", "ports").Single();
        var server = Server.Container("server");
        Assert.Equal(server.Ports[KubeYaml.Str(port, "targetPort")!].ToString(), KubeManifests.OptionValue(server.Args, "--port"));
        Assert.Equal("0.0.0.0", KubeManifests.OptionValue(server.Args, "--bind")); // reachable from other pods

        var agent = Job.Container("agent");
        Assert.Equal($"{Service.Name}:{KubeYaml.Str(port, "port")}", KubeManifests.OptionValue(agent.Args, "--target"));
        Assert.Equal(Service.Name, KubeManifests.OptionValue(agent.Args, "--server-name"));
    }

    [Fact]
    public void EveryContainerRunsTheImageBuildImageShTagsAsTheUserItsContainerfileCreates()
    {
        var script = File.ReadAllText(Path.Combine(KubeManifests.DeployDir, "build-image.sh"));
        var repo = Regex.Match(script, @"^readonly IMAGE=(\S+)$", RegexOptions.Multiline).Groups[1].Value;
        Assert.NotEmpty(repo);
        // The script tags with the tool's version minus its +commit suffix.
        var version = typeof(CliApp)
            .Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        var containerfile = File.ReadAllText(Path.Combine(KubeManifests.DeployDir, "Containerfile"));
        var user = Regex.Match(containerfile, @"^USER (\d+):(\d+)$", RegexOptions.Multiline);
        Assert.True(user.Success, "Containerfile has no numeric USER");
        Assert.Contains("/usr/local/bin/connburst", containerfile); // the manifests' command: ["connburst"]

        foreach (var workload in new[] { Job, Server, KubeManifests.Single("Deployment", "connburst-monitor") })
        {
            Assert.All(workload.Containers, c => Assert.Equal($"{repo}:{version}", c.Image));
            Assert.All(workload.Containers, c => Assert.Equal("IfNotPresent", KubeYaml.Str(c.Node, "imagePullPolicy")));
            Assert.Equal(user.Groups[1].Value, KubeYaml.Str(workload.PodSpec, "securityContext", "runAsUser"));
            Assert.Equal(user.Groups[2].Value, KubeYaml.Str(workload.PodSpec, "securityContext",
                "fsGroup")); // Secret files are group-readable
        }
    }

    [Fact]
    public void AgentPodsWidenTheirEphemeralPortsAndAreScrapedWherePrometheusServes()
    {
        var sysctls = KubeYaml.Items(Job.PodSpec, "securityContext", "sysctls")
            .ToDictionary(s => KubeYaml.Str(s, "name")!, s => KubeYaml.Str(s, "value")!);
        Assert.Equal("1024 65535", sysctls["net.ipv4.ip_local_port_range"]);

        foreach (var (workload, container) in new[] { (Job, "agent"), (Server, "server") })
        {
            var c = workload.Container(container);
            var annotations = workload.Strings("spec", "template", "metadata", "annotations");
            Assert.Equal("true", annotations["prometheus.io/scrape"]);
            var listen = KubeManifests.OptionValue(c.Args, "--prometheus")!;
            Assert.Equal($"0.0.0.0:{annotations["prometheus.io/port"]}", listen);
            Assert.Equal(annotations["prometheus.io/port"], c.Ports["metrics"].ToString());
        }
        // The widened range must not hand the Prometheus port to an outgoing connection.
        Assert.Equal(Job.Container("agent").Ports["metrics"].ToString(), sysctls["net.ipv4.ip_local_reserved_ports"]);
    }

    [Fact]
    public void ValuesKubernetesTakesAsStringsAreNotWrittenAsYamlNumbersOrBooleans()
    {
        // args: [--clients, 30000] fails to decode in kubectl ("cannot unmarshal number into ... of type string").
        var stringFields = new Regex(@"(\.command|\.args)\[\d+\]$|\.env\[\d+\]\.value$|\.sysctls\[\d+\]\.value$|" +
            @"\.(labels|annotations|matchLabels)\..+$|^\.spec\.selector\..+$|^\.data\..+$");
        var yaml11NonString = new Regex(@"^([-+]?[0-9][0-9_]*|[-+]?0x[0-9a-fA-F_]+|[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?|" +
            @"y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|~|null|Null|NULL|)$");
        foreach (var o in KubeManifests.LoadAll())
        {
            foreach (var (path, scalar) in KubeYaml.AllScalars(o.Root))
            {
                if (stringFields.IsMatch(path) && scalar.Style == ScalarStyle.Plain)
                {
                    Assert.False(yaml11NonString.IsMatch(scalar.Value ?? ""),
                        $"{o.File}: {o.Kind} {o.Name} {path} = {scalar.Value} must be quoted");
                }
            }
        }
    }

    [Fact]
    public void ReadmeRendersTheRunCreatesTheSecretsItDoesNotRenderAndCollectsTheAgentsLogs()
    {
        var readme = File.ReadAllText(Path.Combine(KubeManifests.DeployDir, "README.md"));
        Assert.Contains("kubectl create secret generic connburst-server-pki", readme);
        foreach (var (key, _) in Server.SecretItems("pki")) Assert.Contains($"--from-file=pki/{key}", readme);
        Assert.Contains("connburst kube server | kubectl apply -f -", readme);
        Assert.Contains("connburst kube agents --agents 3 --pki pki", readme);
        Assert.Contains($"job-name={Job.Name}", readme);
        Assert.Contains($"--server-names {Service.Name}", readme);

        var monitor = KubeManifests.Single("Deployment", "connburst-monitor").Container("monitor");
        var env = monitor.Env.Single(e => KubeYaml.Str(e, "name") == "CONNBURST_MONITOR_TOKEN");
        var token = KubeYaml.Node(env, "valueFrom", "secretKeyRef")!;
        Assert.Contains($"kubectl create secret generic {KubeYaml.Str(token, "name")} --from-literal={KubeYaml.Str(token, "key")}=",
            readme);
    }
}
