using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConnBurst.Monitor;

namespace ConnBurst.Tests.Export;

/// <summary>The shipped Grafana dashboard is valid JSON and its SystemHealth queries name metrics the monitor really sends.</summary>
public sealed class GrafanaDashboardTests
{
    private static string DashboardPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "dashboards", "connburst-systemhealth.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("dashboards/connburst-systemhealth.json not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void EveryMonitorQueryMatchesAColumnTheMonitorSends()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(DashboardPath()))!;
        var targets = dashboard["panels"]!.AsArray()
            .SelectMany(p => p!["targets"]?.AsArray() ?? [])
            .Select(t => t!["target"]!.GetValue<string>())
            .ToList();
        Assert.Contains(targets, t => t.Contains("$load_prefix.$instance.CON", StringComparison.Ordinal));
        Assert.Contains(targets, t => t.Contains("ConnLat_99P", StringComparison.Ordinal));

        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using var sampler = new SystemSampler(ProcessTarget.ByPid(Environment.ProcessId), ((System.Net.IPEndPoint)listener.LocalEndpoint).Port);
        var columns = sampler.Columns;
        var patterns = targets.SelectMany(MonitorPaths).ToList();
        Assert.True(patterns.Count >= 12, string.Join('\n', patterns));
        foreach (var pattern in patterns)
        {
            foreach (var expanded in ExpandBraces(pattern))
            {
                var regex = new Regex("^" + Regex.Escape(expanded).Replace(@"\*", "[^.]+") + "$");
                Assert.True(columns.Any(regex.IsMatch), $"dashboard query '{expanded}' matches no monitor column");
            }
        }
    }

    private static IEnumerable<string> ExpandBraces(string pattern)
    {
        var open = pattern.IndexOf('{');
        if (open < 0) return [pattern];
        var close = pattern.IndexOf('}', open);
        return pattern[(open + 1)..close].Split(',')
            .SelectMany(alt => ExpandBraces(pattern[..open] + alt + pattern[(close + 1)..]));
    }

    /// <summary>The metric patterns after "$monitor_prefix.$host." in a Graphite target: letters, digits, _ . * and {a,b} groups.</summary>
    private static IEnumerable<string> MonitorPaths(string target)
    {
        const string marker = "$monitor_prefix.$host.";
        for (var at = target.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = target.IndexOf(marker, at, StringComparison.Ordinal))
        {
            at += marker.Length;
            var end = at;
            var depth = 0;
            while (end < target.Length && (char.IsAsciiLetterOrDigit(target[end]) || target[end] is '_' or '.' or '*' or '{' or '}' || (target[end] == ',' && depth > 0)))
            {
                if (target[end] == '{') depth++;
                if (target[end] == '}') depth--;
                end++;
            }
            yield return target[at..end];
        }
    }
}
