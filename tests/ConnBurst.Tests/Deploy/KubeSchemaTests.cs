using Xunit.Abstractions;

namespace ConnBurst.Tests.Deploy;

/// <summary>
/// Every manifest, checked in or printed, loads strictly into the Kubernetes client's typed models (<see cref="KubeSchema"/>),
/// and the check fails on what it is there to catch.
/// </summary>
public sealed class KubeSchemaTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryFileUnderDeployKubernetesPassesTheStrictCheck()
    {
        Assert.NotEmpty(KubeManifests.Files);
        foreach (var file in KubeManifests.Files) Assert.NotEmpty(KubeSchema.Check(File.ReadAllText(file), Path.GetFileName(file)));
    }

    [Fact]
    public async Task EveryDocumentTheKubeCommandsPrintPassesTheStrictCheck()
    {
        var agents = KubeSchema.Check(
            await KubeRender.AgentsAsync(4, "--clients", "40000", "--rate", "400", "--prometheus", "0.0.0.0:9465"), "kube agents");
        Assert.Equal(["V1ConfigMap", "V1Secret", "V1Job"], agents.Select(o => o.GetType().Name));
        var server = KubeSchema.Check(await KubeRender.YamlAsync("server", "--namespace", "bench"), "kube server");
        Assert.Equal(["V1Deployment", "V1Service"], server.Select(o => o.GetType().Name));
        var monitor = KubeSchema.Check(await KubeRender.YamlAsync("monitor", "--namespace", "bench"), "kube monitor");
        Assert.Equal(["V1Deployment", "V1Service"], monitor.Select(o => o.GetType().Name));
    }

    [Theory]
    [InlineData("  completionMode: Indexed", "  completionMod: Indexed", "completionMod")] // a misspelled field
    [InlineData("  completions: 4", "  completions: four", "four")] // a word where a number belongs
    [InlineData("        - name: agent\n          image:", "        - image:", "required field name is missing")] // a missing name
    public async Task AMisspelledFieldAWrongTypeOrAMissingRequiredFieldFailsTheCheck(string right, string wrong, string named)
    {
        var yaml = await KubeRender.AgentsAsync(4, "--clients", "400");
        Assert.Contains(right, yaml);
        KubeSchema.Check(yaml, "as printed");
        var e = Assert.Throws<KubeSchemaException>(() => KubeSchema.Check(yaml.Replace(right, wrong, StringComparison.Ordinal), "changed"));
        output.WriteLine(e.Message);
        Assert.Contains(named, e.Message);
    }
}
