using System.Globalization;
using ConnBurst.Tests.Infrastructure;
using k8s.Models;

namespace ConnBurst.Tests.Deploy;

/// <summary>
/// <c>connburst kube agents</c>: burst's options checked by burst's own binder before anything is printed, N given once,
/// the PKI's client side as the Secret burst finds by default, requests sized from each agent's clients, and burst's
/// ephemeral-port warning for a pod.
/// </summary>
public sealed class KubeAgentsCommandTests
{
    [Theory]
    [InlineData("--rate", "-1")] // burst's binder refuses it
    [InlineData("--keepalive", "0s")]
    [InlineData("--shard", "0/3")] // each pod's own, from --agents
    [InlineData("--start-at", "+1m")] // each pod's own, from the ConfigMap
    [InlineData("--no-such-option")] // burst does not know it
    public async Task ABadBurstOptionFailsInOneLineWithExit2AndPrintsNothing(params string[] bad)
    {
        var r = await CliProcess.RunAsync(KubeRender.Timeout,
            ["kube", "agents", "--agents", "4", "--secret", "connburst-pki", "--", "--clients", "400", .. bad]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal("", r.Stdout);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(bad[0], line);
    }

    [Theory]
    [InlineData("--agents", "0", "--secret", "s")]
    [InlineData("--agents", "500", "--secret", "s")] // more agents than the 400 clients
    [InlineData("--agents", "4")] // no PKI: neither --pki nor --secret
    [InlineData("--agents", "4", "--secret", "s", "--name", "Bad_Name")]
    [InlineData("--agents", "4", "--secret", "s", "--start-in", "soon")]
    [InlineData("--agents", "4", "--secret", "s", "--cpu", "two")]
    [InlineData("--agents", "4", "--secret", "s", "--clients", "40")] // a burst option before --
    public async Task ABadKubeOptionFailsInOneLineWithExit2AndPrintsNothing(params string[] kube)
    {
        var r = await CliProcess.RunAsync(KubeRender.Timeout, ["kube", "agents", .. kube, "--", "--clients", "400"]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal("", r.Stdout);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task NIsGivenOnceAndEveryPodRunsTheOptionsAsTypedPlusItsShardAndTheStart()
    {
        var yaml = await KubeRender.AgentsAsync(4, "--clients", "400", "--rate", "40", "--client-id-prefix", "x$(HOME)-");
        var objects = KubeSchema.Check(yaml, "kube agents");
        var typed = yaml.Split('\n')[0];
        Assert.Single(typed.Split(' '), w => w == "--agents");
        Assert.DoesNotContain("--shard", typed);

        var job = objects.OfType<V1Job>().Single();
        Assert.Equal(4, job.Spec.Completions);
        Assert.Equal(4, job.Spec.Parallelism);
        Assert.Equal("Indexed", job.Spec.CompletionMode);
        var args = job.Spec.Template.Spec.Containers.Single().Args;
        Assert.Equal(["burst", "--target", "connburst-mqtt:8884", "--server-name", "connburst-mqtt", "--clients", "400", "--rate", "40",
            "--client-id-prefix", "x$$(HOME)-", "--shard", "$(JOB_COMPLETION_INDEX)/4", "--start-at", "$(START_AT)", "--print-results"],
            args);

        // The start time is the ConfigMap's, the one the pods read, a moment ahead of the render.
        var plan = objects.OfType<V1ConfigMap>().Single();
        var startAt = job.Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == "START_AT").ValueFrom.ConfigMapKeyRef;
        Assert.Equal(plan.Metadata.Name, startAt.Name);
        var at = DateTimeOffset.Parse(plan.Data[startAt.Key], CultureInfo.InvariantCulture);
        Assert.InRange(at, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(2).AddSeconds(1));
    }

    [Fact]
    public async Task ThePkisClientSideIsTheSecretMountedWhereBurstLooksByDefault()
    {
        var objects = KubeSchema.Check(await KubeRender.AgentsAsync(2, "--clients", "20"), "kube agents");
        var secret = objects.OfType<V1Secret>().Single();
        var job = objects.OfType<V1Job>().Single();
        var pod = job.Spec.Template.Spec;
        var volume = pod.Volumes.Single(v => v.Secret is not null);
        Assert.Equal(secret.Metadata.Name, volume.Secret.SecretName);

        // Its files are the manifest and the client files it names, byte for byte; never a key the client has no use for.
        var m = TestPki.Manifest;
        Assert.Equal(new[] { "manifest.json", m.Client.Cert, m.Client.Key, m.Ca.Cert }.Order(),
            volume.Secret.Items.Select(i => i.Path).Order());
        foreach (var item in volume.Secret.Items)
            Assert.Equal(File.ReadAllBytes(Path.Combine(TestPki.Dir, item.Path)), secret.Data[item.Key]);
        Assert.DoesNotContain(secret.Data.Keys, k => k.Contains(m.Ca.Key, StringComparison.Ordinal) || k.Contains(m.Server.Key,
            StringComparison.Ordinal));

        // burst loads $CONNBURST_HOME/pki when no PKI option is given: that is where the Secret is.
        var agent = pod.Containers.Single();
        var home = agent.Env.Single(e => e.Name == "CONNBURST_HOME").Value;
        Assert.Equal($"{home}/pki", agent.VolumeMounts.Single(v => v.Name == volume.Name).MountPath);
    }

    [Fact]
    public async Task EachPodAsksForMemoryForItsShareOfTheClients()
    {
        foreach (var (agents, clients) in new[] { (2, 20_000), (4, 100_000) })
        {
            var yaml = await KubeRender.AgentsAsync(agents, "--clients", clients.ToString(CultureInfo.InvariantCulture));
            var job = KubeSchema.Check(yaml, "kube agents").OfType<V1Job>().Single();
            var resources = job.Spec.Template.Spec.Containers.Single().Resources;
            var request = resources.Requests["memory"].ToDecimal();
            // docs/SCALE.md: 34.3 KiB a held connection all-in, the processes' bases included at scale.
            Assert.InRange(request, clients / agents * 34.3m * 1024, clients / agents * 34.3m * 1024 * 2);
            Assert.True(resources.Limits["memory"].ToDecimal() > request);
            Assert.False(resources.Limits.ContainsKey("cpu")); // no CFS throttling of the schedule
        }
    }

    [Fact]
    public async Task APodHoldingMoreThanHalfItsEphemeralPortsIsWarnedAboutAndStillRendered()
    {
        var r = await CliProcess.RunAsync(KubeRender.Timeout,
            "kube", "agents", "--agents", "2", "--secret", "connburst-pki", "--", "--clients", "80000");
        Assert.True(r.ExitCode == 0, r.ToString());
        var warning = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("40000 held per source address and destination, more than half of the 64512 ephemeral ports", warning);
        KubeSchema.Check(r.Stdout, "kube agents");

        var fine = await CliProcess.RunAsync(KubeRender.Timeout,
            "kube", "agents", "--agents", "4", "--secret", "connburst-pki", "--", "--clients", "80000");
        Assert.True(fine.ExitCode == 0 && fine.Stderr.Length == 0, fine.ToString());
    }
}
