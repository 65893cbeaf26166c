namespace ConnBurst.Tests.Architecture;

/// <summary>The dependency rule of docs/ARCHITECTURE.md, checked over every source file of the library and the CLI.</summary>
public sealed partial class LayeringTests
{
    private static IEnumerable<(string Folder, string File, string Text)> Sources()
    {
        var root = Infrastructure.Repo.Root;
        var lib = Path.Combine(root, "src", "ConnBurst");
        foreach (var f in Directory.EnumerateFiles(lib, "*.cs", SearchOption.AllDirectories).Where(Ours))
        {
            var rel = Path.GetRelativePath(lib, f);
            var parts = rel.Split(Path.DirectorySeparatorChar);
            if (parts.Length < 2) continue; // AssemblyInfo.cs at the root: attributes only
            yield return (parts[0], "src/ConnBurst/" + rel, File.ReadAllText(f));
        }
        var cli = Path.Combine(root, "src", "ConnBurst.Cli");
        foreach (var f in Directory.EnumerateFiles(cli, "*.cs", SearchOption.AllDirectories).Where(Ours))
            yield return ("Cli", "src/ConnBurst.Cli/" + Path.GetRelativePath(cli, f), File.ReadAllText(f));
    }

    private static bool Ours(string path) =>
        !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) &&
        !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    [Fact]
    public void NoFolderReachesUpALayerAndNoTwoFoldersFormACycle()
    {
        var sources = Sources().ToList();
        Assert.True(sources.Count > 100, $"only {sources.Count} source files found");
        var problems = Layers.Violations(sources);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void EveryNativeImportIsInInterop()
    {
        var outside = Sources().Where(s => s.Folder != "Interop" && NativeImport().IsMatch(s.Text)).Select(s => s.File).ToList();
        Assert.True(outside.Count == 0, "P/Invoke outside src/ConnBurst/Interop: " + string.Join(", ", outside));
    }

    [Fact]
    public void TheSslStreamFieldOpenSslBuffersReadsIsStillThere() =>
        // The one reflection on a framework internal (docs/DECISIONS.md): when a .NET update moves the field, this fails
        // instead of servers silently keeping 34 KB of record buffers per idle connection.
        Assert.Null(ConnBurst.Tls.OpenSslBuffers.Unavailable);

    [System.Text.RegularExpressions.GeneratedRegex(@"\[(LibraryImport|DllImport)\(")]
    private static partial System.Text.RegularExpressions.Regex NativeImport();

    [Fact]
    public void EveryLibraryFolderHasALayer()
    {
        var lib = Path.Combine(Infrastructure.Repo.Root, "src", "ConnBurst");
        foreach (var d in Directory.GetDirectories(lib).Select(Path.GetFileName).Where(n => n is not ("bin" or "obj")))
            Assert.True(Layers.LayerOf(d!) >= 0, $"src/ConnBurst/{d} is in no layer");
    }

    [Fact]
    public void AnUpwardReferenceOrACycleIsCaught()
    {
        // What the real check would say if Tls used the results model's renderers, or Results used Load.
        var upward = Layers.Violations([("Tls", "Tls/X.cs", "using ConnBurst.Reporting;\nclass X { }")]);
        Assert.Contains(upward, p => p.Contains("Tls (layer 4) reaches up to Reporting (layer 7)", StringComparison.Ordinal));

        var cycle = Layers.Violations([("Load", "Load/A.cs", "using ConnBurst.Monitor;"),
            ("Monitor", "Monitor/B.cs", "var x = new ConnBurst.Load.Shard(0, 1);")]);
        Assert.Contains(cycle, p => p.StartsWith("cycle: ", StringComparison.Ordinal));

        // Comments name layers freely.
        Assert.Empty(Layers.Violations([("Tls", "Tls/C.cs", "/// see ConnBurst.Reporting.Html\n// ConnBurst.Runs too")]));
    }
}
