using System.Diagnostics;
using System.Reflection;

namespace ConnBurst.Common;

/// <summary>
/// Starts another process of this same program (burst and serve workers, demo's servers), however it was launched:
/// under <c>dotnet connburst.dll</c> the host is dotnet and the program is the entry assembly; an apphost, a
/// single-file or a NativeAOT binary is the program itself. No file name is assumed.
/// </summary>
internal static class SelfProcess
{
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var exe = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell this process's executable");
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Under the dotnet host the program is the entry assembly's .dll beside this one (AppContext.BaseDirectory);
        // Assembly.Location is not used because it is empty in a single-file bundle (IL3000), where this branch never runs.
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet" && Assembly.GetEntryAssembly()?.GetName().Name is { Length: > 0 } name)
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, name + ".dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        return psi;
    }
}
