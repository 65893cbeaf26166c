using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using ConnBurst.Pki;
using ConnBurst.Servers.Mqtt;

namespace ConnBurst.Cli.Commands;

/// <summary>
/// <c>serve mqtt --workers N</c>: N child processes of this same executable listen on one port with SO_REUSEPORT, so the
/// server scales past one process's 20,000-fd limit. Each child prints <c>@ready</c> once listening and <c>@counters {json}</c>
/// every interval and on exit; the parent sums the latest snapshot of each, forwards Ctrl-C, and waits for them.
/// </summary>
internal static class ServeWorkers
{
    private const string Ready = "@ready";
    private const string CountersPrefix = "@counters ";

    public static async Task<int> RunChildAsync(MqttBrokerOptions options, PkiManifest manifest, int id, CancellationToken stop)
    {
        using var parentGone = CancellationTokenSource.CreateLinkedTokenSource(stop);
        Common.ParentProcess.CancelWhenStdinCloses(parentGone);
        var ct = parentGone.Token;
        await using var broker = new MqttBroker(options, manifest, msg => ServeMqttCommand.Log($"[worker {id}] {msg}"));
        broker.Start();
        Console.WriteLine(Ready);
        void Emit() => Console.WriteLine(CountersPrefix + JsonSerializer.Serialize(broker.Snapshot()));
        using var timer = new PeriodicTimer(options.ReportInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) Emit();
        }
        catch (OperationCanceledException) { }
        await broker.StopAsync(TimeSpan.FromSeconds(10));
        Emit();
        return ExitCodes.Ok;
    }

    public static async Task<MqttBrokerSnapshot> RunParentAsync(MqttBrokerOptions options, CancellationToken ct)
    {
        var latest = new ConcurrentDictionary<int, MqttBrokerSnapshot>();
        var ready = new CountdownEvent(options.Workers);
        var children = new List<Process>();
        var args = Environment.GetCommandLineArgs().Skip(1).ToList();
        try
        {
            for (int i = 0; i < options.Workers; i++)
            {
                var child = Start(args, i);
                var id = i;
                child.OutputDataReceived += (_, e) =>
                {
                    if (e.Data is null) return;
                    if (e.Data == Ready) { ready.Signal(); return; }
                    if (!e.Data.StartsWith(CountersPrefix, StringComparison.Ordinal)) return;
                    try
                    {
                        if (JsonSerializer.Deserialize<MqttBrokerSnapshot>(e.Data.AsSpan(CountersPrefix.Length)) is { } s) latest[id] = s;
                    }
                    catch (JsonException) { /* a torn line: the next one replaces it */ }
                };
                child.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
                child.BeginOutputReadLine();
                child.BeginErrorReadLine();
                children.Add(child);
            }
            // Ready when every child listens; a child that dies first (port taken, bad PKI) fails the run.
            while (!ready.Wait(100, CancellationToken.None))
            {
                if (children.FirstOrDefault(c => c.HasExited) is { } dead)
                    throw new InvalidOperationException($"worker {children.IndexOf(dead)} exited ({dead.ExitCode}) before listening");
                if (ct.IsCancellationRequested) break;
            }
            Console.WriteLine($"{options.Workers} workers (pids {string.Join(',', children.Select(c => c.Id))}) share the port with SO_REUSEPORT");
            Console.WriteLine($"listening on {options.Bind}:{options.Port}");
            await ServeMqttCommand.ReportUntilStoppedAsync(() => MqttBrokerSnapshot.Sum(latest.Values), options.ReportInterval, ct);
        }
        finally
        {
            foreach (var c in children) Interrupt(c);
            foreach (var c in children)
            {
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try { await c.WaitForExitAsync(wait.Token); c.WaitForExit(); }
                catch (OperationCanceledException)
                {
                    ServeMqttCommand.Log($"worker pid {c.Id} did not stop within 15 s; killing it");
                    c.Kill(entireProcessTree: true);
                }
            }
            foreach (var c in children) c.Dispose();
        }
        return MqttBrokerSnapshot.Sum(latest.Values);
    }

    /// <summary>Starts this executable again with the same arguments plus <c>--worker-id</c>.</summary>
    private static Process Start(List<string> args, int id)
    {
        // stdin is redirected and held open: when this parent dies, even by SIGKILL, the worker reads end of stdin and stops.
        var psi = Common.SelfProcess.StartInfo([.. args, "--worker-id", id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return Process.Start(psi) ?? throw new InvalidOperationException("cannot start a worker process");
    }

    private static void Interrupt(Process p)
    {
        try
        {
            if (!p.HasExited) SysKill(p.Id, 2); // SIGINT: the child stops cleanly and prints its final counters
        }
        catch (InvalidOperationException) { }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int sig);
}
