using System.Diagnostics;

namespace ConnBurst.Tests.Infrastructure;

/// <summary>A system tool run to completion (mount, taskset...): Run fails the test with its stderr unless it exits 0.</summary>
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

    /// <summary>
    /// A longer run with its own environment (dotnet pack, an installed tool, a published binary), its exit code and
    /// output returned, killed with its children at <paramref name="timeout"/>.
    /// </summary>
    public static async Task<CliResult> RunAsync(string program, IEnumerable<string> args, IDictionary<string, string> env,
        TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["NO_COLOR"] = "1";
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"{program} {string.Join(' ', psi.ArgumentList)} did not exit within {timeout}: {await stdout} {await stderr}");
        }
        return new CliResult(p.ExitCode, await stdout, await stderr);
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
