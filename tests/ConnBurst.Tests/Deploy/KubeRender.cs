using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Deploy;

/// <summary><c>connburst kube ...</c> run as a process, as a user runs it before <c>kubectl apply -f -</c>.</summary>
internal static class KubeRender
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The YAML it prints; fails the test unless it exits 0.</summary>
    public static async Task<string> YamlAsync(params string[] args)
    {
        var r = await CliProcess.RunAsync(Timeout, ["kube", .. args]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout;
    }

    /// <summary>A run of <paramref name="agents"/> agents against the in-cluster server, its Secret rendered from the test PKI.</summary>
    public static Task<string> AgentsAsync(int agents, params string[] burstOptions) =>
        YamlAsync(["agents", "--agents", agents.ToString(System.Globalization.CultureInfo.InvariantCulture), "--pki", TestPki.Dir, "--",
            "--target", "connburst-mqtt:8884", "--server-name", "connburst-mqtt", .. burstOptions]);
}
