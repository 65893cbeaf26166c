using System.CommandLine;
using System.CommandLine.Help;
using System.Text.RegularExpressions;
using ConnBurst.Cli;

namespace ConnBurst.Tests.Cli;

/// <summary>
/// docs/CLI.md's rules, checked over System.CommandLine's model of a command: one line per option that breaks one. Kept apart from
/// the tests so that they can show it catches what it should on a command made to break every rule.
/// </summary>
internal static partial class CliConventions
{
    /// <summary>Old spellings that no visible option may have (each has its new name in docs/CLI.md, "Renamed options").</summary>
    private static readonly HashSet<string> RetiredNames =
    [
        "--results", "--timeout", "--snapshot", "--bind", "--report-interval", "--stats-interval", "--graphite-prefix", "--token",
        "--output", "--out-dir", "--behind-threshold-ms",
    ];

    /// <summary>Commands whose <c>--port</c> is not where they listen or connect: the monitor's watched port, the port clientlist
    /// writes into its list.</summary>
    private static readonly HashSet<string> PortIsData = ["monitor", "clientlist"];

    [GeneratedRegex("timeout|interval|duration|linger|delay|keepalive|lag|threshold|window|recording|latency")]
    private static partial Regex DurationWords();

    [GeneratedRegex(@"\d%|this %|percent", RegexOptions.IgnoreCase)]
    private static partial Regex PercentWords();

    [GeneratedRegex(@"-(ms|us|s|sec|secs|seconds|minutes|millis|pct|percent)$")]
    private static partial Regex UnitSuffix();

    public static IEnumerable<(string Path, Command Command)> Walk(Command command, string path = "")
    {
        if (command is not RootCommand) yield return (path, command);
        foreach (var sub in command.Subcommands)
            foreach (var c in Walk(sub, path.Length == 0 ? sub.Name : $"{path} {sub.Name}")) yield return c;
    }

    public static IEnumerable<string> Problems(string path, Command command)
    {
        var options = command.Options.Where(o => o is not HelpOption and not VersionOption).ToList();
        var visible = options.Where(o => !o.Hidden).ToList();
        var names = visible.Select(o => o.Name).ToHashSet();
        foreach (var o in visible)
        {
            var at = $"{path} {o.Name}";
            if (RetiredNames.Contains(o.Name)) yield return $"{at}: a retired name is visible (docs/CLI.md, \"Renamed options\")";
            if (o.Name == "--port" && !PortIsData.Contains(path)) yield return $"{at}: a server listens at --listen HOST:PORT";
            if (UnitSuffix().IsMatch(o.Name)) yield return $"{at}: a unit in the name (a duration or percent option takes its unit)";
            if (string.IsNullOrWhiteSpace(o.Description)) yield return $"{at}: no description";
            var isDuration = o.ValueType == typeof(Duration) || o.ValueType == typeof(Duration?);
            if (DurationWords().IsMatch(o.Name) && !isDuration) yield return $"{at}: a duration option of type {o.ValueType.Name}";
            var mentionsPercent = PercentWords().IsMatch(o.Description ?? ""); // "5%", "this %", "percent"; not "%i"
            if (mentionsPercent && o is not PercentOption) yield return $"{at}: a percent option of type {o.ValueType.Name}";
            if (o.Name == "--out" && o.Description?.Contains("director", StringComparison.OrdinalIgnoreCase) != true)
                yield return $"{at}: --out is a directory (a single file is --out-file)";
            if (o.Name == "--out-file" && o.Description?.Contains("file", StringComparison.OrdinalIgnoreCase) != true)
                yield return $"{at}: --out-file is a file";
        }
        if (names.Contains("--monitor") && !names.Contains("--monitor-token")) yield return $"{path}: --monitor without --monitor-token";
        if (names.Contains("--graphite") && !names.Contains("--graphite-root")) yield return $"{path}: --graphite without --graphite-root";
        foreach (var o in options.Where(o => o.Hidden && o is ILegacyOption))
        {
            var current = ((ILegacyOption)o).Current;
            if (names.Contains(o.Name)) yield return $"{path} {o.Name}: an old spelling is also a visible option";
            if (!visible.Contains(current)) yield return $"{path} {o.Name}: feeds {current.Name}, which is not a visible option here";
        }
        foreach (var o in options.Where(o => !o.Hidden && o is ILegacyOption)) yield return $"{path} {o.Name}: an old spelling is visible";
    }
}
