using System.Text.RegularExpressions;

namespace ConnBurst.Tests.Architecture;

/// <summary>
/// The layers of docs/ARCHITECTURE.md as data, and the check that holds them: a source file may reference its own
/// folder, folders of its own layer, and folders of lower layers; never a higher layer, and no two folders may
/// reference each other round a cycle. References are <c>using ConnBurst.X</c> and qualified <c>ConnBurst.X.</c>.
/// </summary>
internal static partial class Layers
{
    /// <summary>Bottom to top; a folder of src/ConnBurst per entry, and "Cli" for the executable.</summary>
    public static readonly string[][] BottomUp =
    [
        ["Common", "Interop"],
        ["Results", "Stages"],
        ["Pki", "Mqtt", "Chat", "Export", "Recording"],
        ["Transport"],
        ["Tls"],
        ["Servers"],
        ["Load", "Monitor"],
        ["Reporting"],
        ["Runs", "Deploy"],
        ["Cli"],
    ];

    public static int LayerOf(string folder)
    {
        for (int i = 0; i < BottomUp.Length; i++) if (BottomUp[i].Contains(folder)) return i;
        return -1;
    }

    /// <summary>Every violation in a set of source files given as (folder, file name, text).</summary>
    public static List<string> Violations(IEnumerable<(string Folder, string File, string Text)> sources)
    {
        var problems = new List<string>();
        var edges = new Dictionary<string, HashSet<string>>();
        foreach (var (folder, file, text) in sources)
        {
            if (LayerOf(folder) < 0) { problems.Add(
                $"{file}: folder {folder} is in no layer (add it to docs/ARCHITECTURE.md and Layers.BottomUp)"); continue; }
            foreach (var target in References(text).Where(t => t != folder))
            {
                if (LayerOf(target) < 0) { problems.Add($"{file}: references ConnBurst.{target}, which is in no layer"); continue; }
                if (LayerOf(target) > LayerOf(folder))
                    problems.Add($"{file}: {folder} (layer {LayerOf(folder)}) reaches up to {target} (layer {LayerOf(target)})");
                if (!edges.TryGetValue(folder, out var set)) edges[folder] = set = [];
                set.Add(target);
            }
        }
        problems.AddRange(Cycles(edges));
        return problems;
    }

    /// <summary>The ConnBurst folders a file names, comments left out.</summary>
    public static IEnumerable<string> References(string text)
    {
        var code = LineComment().Replace(text, "");
        return QualifiedName().Matches(code).Select(m => m.Groups[1].Value).Where(n => n is not ("Core" or "Tests" or "Bench")).Distinct();
    }

    private static IEnumerable<string> Cycles(Dictionary<string, HashSet<string>> edges)
    {
        var state = new Dictionary<string, int>(); // 1 on the path, 2 done
        var path = new Stack<string>();
        var found = new List<string>();
        void Visit(string n)
        {
            state[n] = 1;
            path.Push(n);
            foreach (var m in edges.GetValueOrDefault(n) ?? [])
            {
                if (state.GetValueOrDefault(m) == 1)
                    found.Add("cycle: " + string.Join(" -> ", path.Reverse().SkipWhile(x => x != m).Append(m)));
                else if (state.GetValueOrDefault(m) == 0) Visit(m);
            }
            path.Pop();
            state[n] = 2;
        }
        foreach (var n in edges.Keys.Order(StringComparer.Ordinal)) if (state.GetValueOrDefault(n) == 0) Visit(n);
        return found;
    }

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"\bConnBurst\.([A-Z]\w*)")]
    private static partial Regex QualifiedName();
}
