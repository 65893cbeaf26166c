using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Export;

/// <summary>
/// Debian's real carbon-cache (graphite-carbon) on free loopback ports, with its own config, storage, log and
/// pid directories in a temp dir; whisper-fetch (python3-whisper) reads back what it stored. Killed on Dispose.
/// </summary>
internal sealed class CarbonCache : IDisposable
{
    public const string Executable = "/usr/bin/carbon-cache";
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private CarbonCache(TempDir dir)
    {
        Root = dir.Combine("carbon");
        LinePort = FreePort.Next();
        var picklePort = FreePort.Next();
        var queryPort = FreePort.Next();
        foreach (var d in new[] { "conf", "storage/whisper", "storage/lists", "log", "run" })
            Directory.CreateDirectory(Path.Combine(Root, d));
        File.WriteAllText(Path.Combine(Root, "conf", "carbon.conf"), $"""
            [cache]
            STORAGE_DIR = {Root}/storage/
            LOCAL_DATA_DIR = {Root}/storage/whisper/
            WHITELISTS_DIR = {Root}/storage/lists/
            CONF_DIR = {Root}/conf/
            LOG_DIR = {Root}/log/
            PID_DIR = {Root}/run/
            ENABLE_LOGROTATION = False
            USER =
            MAX_CACHE_SIZE = inf
            MAX_UPDATES_PER_SECOND = 10000
            MAX_CREATES_PER_MINUTE = inf
            LINE_RECEIVER_INTERFACE = 127.0.0.1
            LINE_RECEIVER_PORT = {LinePort}
            ENABLE_UDP_LISTENER = False
            PICKLE_RECEIVER_INTERFACE = 127.0.0.1
            PICKLE_RECEIVER_PORT = {picklePort}
            CACHE_QUERY_INTERFACE = 127.0.0.1
            CACHE_QUERY_PORT = {queryPort}
            LOG_UPDATES = False
            LOG_CREATES = True
            """);
        // One-second points for an hour: every sample the monitor sends is kept as sent.
        File.WriteAllText(Path.Combine(Root, "conf", "storage-schemas.conf"), "[default]\npattern = .*\nretentions = 1s:1h\n");
        var psi = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { $"--config={Root}/conf/carbon.conf", $"--pidfile={Root}/run/carbon.pid", $"--logdir={Root}/log",
            "--nodaemon", "start" })
        {
            psi.ArgumentList.Add(a);
        }
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Root { get; }
    public int LinePort { get; }
    public string WhisperDir => Path.Combine(Root, "storage", "whisper");
    public string Log { get { lock (_log) return _log.ToString(); } }

    public static async Task<CarbonCache> StartAsync(TempDir dir)
    {
        var carbon = new CarbonCache(dir);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (carbon._process.HasExited) throw new InvalidOperationException($"carbon-cache exited: {carbon.Log}");
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync("127.0.0.1", carbon.LinePort).WaitAsync(TimeSpan.FromSeconds(2));
                return carbon;
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or TimeoutException)
            {
                await Task.Delay(200);
            }
        }
        carbon.Dispose();
        throw new TimeoutException($"carbon-cache did not listen on {carbon.LinePort}: {carbon.Log}");
    }

    /// <summary>Every metric carbon has created a whisper file for, as dotted paths.</summary>
    public List<string> Metrics() => !Directory.Exists(WhisperDir) ? [] :
        Directory.GetFiles(WhisperDir, "*.wsp", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(WhisperDir, f)[..^4].Replace(Path.DirectorySeparatorChar, '.')).ToList();

    /// <summary>The whisper file of a dotted metric path.</summary>
    public string WhisperFile(string metric) => Path.Combine([WhisperDir, .. metric.Split('.')]) + ".wsp";

    /// <summary>Waits for the metric's whisper file to hold at least one value since <paramref name="from"/>; returns the stored
    /// values.</summary>
    public async Task<List<double>> WaitForValuesAsync(string metric, long from, TimeSpan timeout)
    {
        var file = WhisperFile(metric);
        var deadline = DateTime.UtcNow + timeout;
        List<double> values = [];
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(file))
            {
                values = await FetchAsync(file, from);
                if (values.Count > 0) return values;
            }
            await Task.Delay(300);
        }
        var known = Directory.Exists(WhisperDir) ? string.Join(", ",
            Directory.GetFiles(WhisperDir, "*.wsp", SearchOption.AllDirectories).Take(20)) : "none";
        throw new TimeoutException($"no values in {file} within {timeout}; whisper files: {known}; carbon log: {Log}");
    }

    private static async Task<List<double>> FetchAsync(string file, long from)
    {
        var psi = new ProcessStartInfo("/usr/bin/whisper-fetch") { RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false };
        foreach (var a in new[] { "--json", $"--from={from}", file }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = await p.StandardOutput.ReadToEndAsync(cts.Token);
        await p.WaitForExitAsync(cts.Token);
        if (p.ExitCode != 0) return [];
        var values = JsonNode.Parse(stdout)!["values"]!.AsArray();
        return values.Where(v => v is not null).Select(v => v!.GetValue<double>()).ToList();
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
