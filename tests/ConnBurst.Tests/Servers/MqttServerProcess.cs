using System.Diagnostics;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Servers;

/// <summary>A real <c>connburst serve mqtt</c> on a free loopback port, started and waited for.</summary>
public sealed class MqttServerProcess : IDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly TempDir _results;

    public CliProcess Process { get; }
    public int Port { get; }
    public string ResultsDir => _results.Path;

    private MqttServerProcess(CliProcess process, int port, TempDir results)
    {
        Process = process;
        Port = port;
        _results = results;
    }

    public static Task<MqttServerProcess> StartAsync(string pkiDir, params string[] extra)
        => StartOnPortAsync(pkiDir, FreePort.Next(), extra);

    /// <summary>On a given port: a server restarted where clients expect it.</summary>
    public static async Task<MqttServerProcess> StartOnPortAsync(string pkiDir, int port, params string[] extra)
    {
        var results = new TempDir();
        var args = new List<string> { "serve", "mqtt", "--pki", pkiDir, "--listen", $"127.0.0.1:{port}", "--interval", "1s", "--out",
            results.Path };
        args.AddRange(extra);
        var server = new MqttServerProcess(CliProcess.Start(args), port, results);
        try
        {
            await server.Process.WaitForOutputAsync($"listening on 127.0.0.1:{port}", StartTimeout);
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    /// <summary>Ctrl-C, then the whole output (final counters and results path included).</summary>
    public async Task<CliResult> StopAsync()
    {
        Process.Interrupt();
        return await Process.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public void Dispose()
    {
        Process.Dispose();
        _results.Dispose();
    }
}

/// <summary>mosquitto_pub, a client nobody here wrote. Returns its exit code (0: CONNACK success and the publish went out).</summary>
public static class MosquittoPub
{
    /// <param name="protocol">mosquitto_pub's <c>-V</c>: mqttv5 or mqttv311.</param>
    public static async Task<(int ExitCode, string Output)> RunAsync(int port, string caFile, string? cert, string? key,
        string protocol = "mqttv5")
    {
        var psi = new ProcessStartInfo("mosquitto_pub") { RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false };
        foreach (var a in new[] { "-V", protocol, "--cafile", caFile, "-h", "127.0.0.1", "-p", port.ToString(), "-t", "t", "-m", "x", "-q",
            "1" })
        {
            psi.ArgumentList.Add(a);
        }
        if (cert is not null)
        {
            psi.ArgumentList.Add("--cert"); psi.ArgumentList.Add(cert);
            psi.ArgumentList.Add("--key"); psi.ArgumentList.Add(key!);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(true); return (-1, "timeout"); }
        return (p.ExitCode, await stdout + await stderr);
    }
}
