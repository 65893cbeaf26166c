using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ConnBurst.Monitor;
using ConnBurst.Monitor.Proc;

namespace ConnBurst.Bench;

/// <summary>
/// CPU per monitor sample, by source, in this process: the system files alone, a watched process with N threads,
/// and the sockets on one port read through netlink sock_diag and through /proc/net/tcp{,6}. Each configuration is
/// warmed up, then sampled in a tight loop; CPU is this process's user+system time (includes kernel work).
/// Usage: monitor-sample [SAMPLES=300] [THREADS=50]
/// </summary>
public static class MonitorSampleBench
{
    public static int Run(string[] args)
    {
        var samples = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 300;
        var threads = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50;
        using var stop = new ManualResetEventSlim();
        var sleepers = Enumerable.Range(0, threads - 1)
            .Select(i => new Thread(() => stop.Wait()) { IsBackground = true, Name = $"sleeper{i}" }).ToList();
        sleepers.ForEach(t => t.Start());
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var pid = Environment.ProcessId;
        Console.WriteLine(
            $"{samples} samples each; watched process = this one ({Process.GetCurrentProcess().Threads.Count} threads); /proc/net/tcp " +
            $"has {File.ReadLines("/proc/net/tcp").Count() - 1} sockets, tcp6 {File.ReadLines("/proc/net/tcp6").Count() - 1}");
        Measure("system files only (stat, meminfo, net/dev, diskstats, loadavg)", samples, () => new SystemSampler());
        Measure($"+ process with {threads}+ threads", samples, () => new SystemSampler(ProcessTarget.ByPid(pid)));
        Measure("sockets on one port via netlink sock_diag", samples, () => new TcpSocketReader(port), s => s.Sample());
        Measure("sockets on one port via /proc/net/tcp + tcp6", samples, () => new TcpSocketReader(port, useNetlink: false),
            s => s.Sample());
        stop.Set();
        return 0;
    }

    private static void Measure(string name, int samples, Func<SystemSampler> create) => Measure(name, samples, create, s => s.Sample());

    private static void Measure<T>(string name, int samples, Func<T> create, Func<T, bool> sample) where T : IDisposable
    {
        using var s = create();
        for (var i = 0; i < 100; i++) sample(s); // tier-up
        Thread.Sleep(300);
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        var alloc = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < samples; i++) sample(s);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - before;
        alloc = GC.GetAllocatedBytesForCurrentThread() - alloc;
        Console.WriteLine($"| {name} | {cpu.TotalMilliseconds * 1000 / samples:0} µs | {alloc / samples} B |");
    }
}
