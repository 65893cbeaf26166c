using System.Diagnostics;

namespace ConnBurst.Tests.Infrastructure;

/// <summary>A system tool run to completion (mount, taskset...): the test fails with its stderr unless it exits 0.</summary>
internal static class Tool
{
    public static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        Assert.True(p.WaitForExit(30_000) && p.ExitCode == 0, $"{file} {string.Join(' ', args)}: {err.Result}");
    }
}

/// <summary>A tmpfs of a few KiB at a fresh directory, to fill a results disk; unmounted on Dispose.</summary>
internal sealed class SmallDisk : IDisposable
{
    public string Path { get; }

    public SmallDisk(TempDir under, string size)
    {
        Path = under.Combine("small");
        Directory.CreateDirectory(Path);
        Tool.Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", Path);
    }

    public void Dispose() => Tool.Run("umount", Path);
}
