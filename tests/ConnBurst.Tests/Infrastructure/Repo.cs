namespace ConnBurst.Tests.Infrastructure;

/// <summary>The repository the tests were built from (for tests that read sources or run bench/ scripts).</summary>
public static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ConnBurst.sln"))) return d.FullName;
        throw new InvalidOperationException("cannot find ConnBurst.sln above the test binaries");
    }
}
