using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConnBurst.Monitor;
using ConnBurst.Tests.Chat;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tests.Monitor;
using ConnBurst.Tests.Servers;

namespace ConnBurst.Tests.Export;

/// <summary>
/// The three Grafana dashboards in dashboards/ (SystemHealth, server stats, load generator): valid JSON whose
/// variables are all defined, and whose every panel query matches series that a real run (monitor, serve mqtt,
/// serve chat and two bursts, all with --graphite) wrote into a real carbon-cache.
/// </summary>
public sealed class GrafanaDashboardTests
{
    private static readonly string[] Dashboards = ["connburst-systemhealth.json", "connburst-serverstats.json", "connburst-loadgen.json"];
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public void EachDashboardHasItsOwnUidPanelsWithQueriesAndOnlyDefinedVariables()
    {
        var uids = new HashSet<string>();
        foreach (var name in Dashboards)
        {
            var dashboard = Load(name);
            Assert.True(uids.Add(dashboard["uid"]!.GetValue<string>()), $"{name}: uid repeats another dashboard's");
            var variables = dashboard["templating"]!["list"]!.AsArray().Select(v => v!["name"]!.GetValue<string>()).ToHashSet();
            var graphs = dashboard["panels"]!.AsArray().Where(p => p!["type"]!.GetValue<string>() != "row").ToList();
            Assert.True(graphs.Count >= 4, name);
            foreach (var panel in graphs)
            {
                var targets = Targets(panel!);
                Assert.True(targets.Count > 0, $"{name}: panel '{panel!["title"]}' has no query");
                foreach (var used in targets.SelectMany(t => Regex.Matches(t, @"\$(\w+)").Select(m => m.Groups[1].Value)))
                    Assert.True(variables.Contains(used), $"{name}: ${used} is not a variable of the dashboard");
            }
        }
    }

    [Fact]
    public async Task EveryPanelQueryMatchesSeriesARealRunWroteToCarbon()
    {
        Assert.True(File.Exists(CarbonCache.Executable), "graphite-carbon is not installed: run ./test.sh as root");
        using var dir = new TempDir();
        using var carbon = await CarbonCache.StartAsync(dir);
        var graphite = $"127.0.0.1:{carbon.LinePort}";
        var root = "cbdash" + Random.Shared.Next(100_000, 999_999);
        var host = SystemSampler.MetricName(Environment.MachineName);
        const string instance = "agent1";

        using var mqtt = await MqttServerProcess.StartAsync(TestPki.Dir, "--graphite", graphite, "--graphite-root", root,
            "--graphite-interval", "500ms");
        using var chat = await ChatServerProcess.StartAsync("--graphite", graphite, "--graphite-root", root, "--graphite-interval",
            "500ms");
        using var monitor = await MonitorProcess.StartAsync(dir, ["--graphite", graphite, "--graphite-root", root,
            "--pid", mqtt.Process.Pid.ToString(), "--port", mqtt.Port.ToString(), "--interval", "500ms"]);
        await using (var client = await RawChatClient.ConnectAsync(chat.Port))
        {
            await client.SendAsync("JOIN lobby\nMSG lobby hi\n");
            await client.ReadUntilAsync("MSG");
        }
        var m = TestPki.Manifest;
        string[] common = ["burst", "--target", $"127.0.0.1:{mqtt.Port}", "--graphite", graphite, "--graphite-root", root, "--instance",
            instance, "--out", dir.Combine("bursts")];
        var good = await CliProcess.RunAsync(Wait,
            [.. common, "--pki", TestPki.Dir, "--clients", "60", "--rate", "30", "--duration", "3s"]);
        Assert.Equal(0, good.ExitCode);
        // Revoked certificates: the generator's Err_<reason> series and the server's handshakesFailed.revoked.
        var refused = await CliProcess.RunAsync(Wait,
            [.. common, "--pki", TestPki.Dir, "--cert", m.PathOf(m.Revoked[0].Cert), "--key", m.PathOf(m.Revoked[0].Key),
            "--clients", "10", "--rate", "10", "--duration", "2s"]);
        Assert.True(refused.ExitCode is 0 or 1, refused.ToString());

        var values = new Dictionary<string, string>
        {
            ["monitor_prefix"] = $"{root}.connburst.monitor", ["host"] = "*",
            ["server_prefix"] = $"{root}.connburst.server", ["server_host"] = "*",
            ["load_prefix"] = $"{root}.connburst", ["instance"] = instance,
        };
        var queries = Dashboards.SelectMany(name => Load(name)["panels"]!.AsArray().SelectMany(p => Targets(p!))
            .SelectMany(t => SeriesPatterns(Substitute(t, values), root)).Select(pattern => (name, pattern))).ToList();
        Assert.True(queries.Count >= 30, string.Join('\n', queries));

        var deadline = DateTime.UtcNow + Wait;
        List<(string Name, string Pattern)> unmatched;
        while (true)
        {
            var metrics = carbon.Metrics();
            unmatched = queries.Where(q => !ExpandBraces(q.pattern).All(p => metrics.Any(Glob(p).IsMatch))).ToList();
            if (unmatched.Count == 0 || DateTime.UtcNow > deadline) break;
            await Task.Delay(1000);
        }
        Assert.True(unmatched.Count == 0, "queries matching no series:\n"
            + string.Join('\n', unmatched.Select(u => $"{u.Name}: {u.Pattern}")) +
            "\nseries:\n" + string.Join('\n', carbon.Metrics().Order()));

        // The variables' own queries list what the run sent: the host, the server host, the instance (and not the monitor or server
        // subtrees).
        var all = carbon.Metrics();
        Assert.Contains(all, x => x.StartsWith($"{root}.connburst.monitor.{host}.", StringComparison.Ordinal));
        Assert.Contains(all, x => x.StartsWith($"{root}.connburst.server.{host}.mqtt.", StringComparison.Ordinal));
        var instanceRegex = new Regex(Load("connburst-loadgen.json")["templating"]!["list"]!.AsArray()
            .First(v => v!["name"]!.GetValue<string>() == "instance")!["regex"]!.GetValue<string>().Trim('/'));
        var instances = all.Where(x => x.StartsWith(root + ".connburst.", StringComparison.Ordinal)).Select(x => x.Split('.')[2]).Distinct()
            .Where(x => instanceRegex.IsMatch(x)).ToList();
        Assert.Equal([instance], instances);
        monitor.Process.Interrupt();
        await monitor.Process.WaitAsync(Wait);
    }

    private static JsonNode Load(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "dashboards", name)))!;

    private static List<string> Targets(JsonNode panel) =>
        panel["targets"]?.AsArray().Select(t => t!["target"]!.GetValue<string>()).ToList() ?? [];

    private static string Substitute(string target, Dictionary<string, string> values) =>
        Regex.Replace(target, @"\$(\w+)", m => values.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    /// <summary>The series paths in a Graphite target: from the run's root on, letters, digits, _ - . * and {a,b} groups.</summary>
    private static IEnumerable<string> SeriesPatterns(string target, string root)
    {
        for (var at = target.IndexOf(root, StringComparison.Ordinal); at >= 0; at = target.IndexOf(root, at, StringComparison.Ordinal))
        {
            var end = at;
            var depth = 0;
            while (end < target.Length && (char.IsAsciiLetterOrDigit(target[end]) || target[end] is '_' or '-' or '.' or '*' or '{' or '}'
                || (target[end] == ',' && depth > 0)))
            {
                if (target[end] == '{') depth++;
                if (target[end] == '}') depth--;
                end++;
            }
            yield return target[at..end];
            at = end;
        }
    }

    private static IEnumerable<string> ExpandBraces(string pattern)
    {
        var open = pattern.IndexOf('{');
        if (open < 0) return [pattern];
        var close = pattern.IndexOf('}', open);
        return pattern[(open + 1)..close].Split(',').SelectMany(alt => ExpandBraces(pattern[..open] + alt + pattern[(close + 1)..]));
    }

    /// <summary>A Graphite glob as a regex over one whole dotted path: * stays within one node.</summary>
    private static Regex Glob(string pattern) => new("^" + Regex.Escape(pattern).Replace(@"\*", "[^.]*") + "$");
}
