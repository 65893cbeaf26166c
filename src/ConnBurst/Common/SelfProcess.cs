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
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet" && Assembly.GetEntryAssembly()?.Location is { Length: > 0 } program)
            psi.ArgumentList.Add(program);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        return psi;
    }
}
