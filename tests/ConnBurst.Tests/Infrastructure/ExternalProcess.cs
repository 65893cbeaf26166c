using System.Diagnostics;

namespace ConnBurst.Tests.Infrastructure;

/// <summary>
/// Any program run to completion (dotnet pack, an installed tool, a published binary, openssl), its output captured,
/// killed with its children at the timeout. <see cref="CliProcess"/> is the one for connburst.dll under dotnet.
/// </summary>
public static class ExternalProcess
{
    public static async Task<CliResult> RunAsync(string program, IEnumerable<string> args, IDictionary<string, string> env, TimeSpan timeout)
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
            throw new TimeoutException($"{program} {string.Join(' ', psi.ArgumentList)} did not exit within {timeout}: {await stdout} {await stderr}");
        }
        return new CliResult(p.ExitCode, await stdout, await stderr);
    }
}
