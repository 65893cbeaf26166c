using System.Text;
using System.Text.RegularExpressions;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Deploy;

/// <summary>
/// deploy/kubernetes/ has one source of truth: each file is what the <c>connburst kube</c> command on its first line
/// prints (deploy/render-kubernetes.sh writes them again). Only the agents' start time may differ: it is the moment
/// of the render.
/// </summary>
public sealed partial class KubeRegenerationTests
{
    [Fact]
    public async Task EveryFileUnderDeployKubernetesIsWhatItsCommandPrints()
    {
        Assert.Contains(KubeManifests.Files, f => Path.GetFileName(f) == "agents-job.yaml");
        foreach (var file in KubeManifests.Files)
        {
            var text = File.ReadAllText(file);
            var first = text.Split('\n')[0];
            Assert.StartsWith("# connburst kube ", first);
            var r = await CliProcess.RunAsync(KubeRender.Timeout, [.. ShellWords(first["# connburst ".Length..])]);
            Assert.True(r.ExitCode == 0, $"{file}: {r}");
            Assert.True(StartAt().Replace(r.Stdout, "START_AT: T") == StartAt().Replace(text, "START_AT: T"),
                $"{Path.GetFileName(file)} differs from what '{first[2..]}' prints now: run deploy/render-kubernetes.sh");
        }
    }

    [Fact]
    public void TheRenderScriptReadsTheSameFirstLines()
    {
        var script = File.ReadAllText(Path.Combine(KubeManifests.DeployDir, "render-kubernetes.sh"));
        Assert.Contains("\"# connburst kube \"*", script);
        Assert.Contains("head -n 1", script);
    }

    /// <summary>The words of a command line as kube writes it: plain words, and words in single quotes ('\'' for a quote).</summary>
    private static List<string> ShellWords(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false, quoted = false, escaped = false;
        foreach (var c in line)
        {
            if (quoted)
            {
                if (c == '\'') quoted = false;
                else word.Append(c);
            }
            else if (escaped) { word.Append(c); escaped = false; }
            else if (c == '\'') { quoted = true; inWord = true; }
            else if (c == '\\') { escaped = true; inWord = true; }
            else if (c == ' ')
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else { word.Append(c); inWord = true; }
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }

    [GeneratedRegex("START_AT: \"[^\"]*\"")]
    private static partial Regex StartAt();
}
