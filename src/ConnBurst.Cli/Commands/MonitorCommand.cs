using System.CommandLine;
using ConnBurst.Cli.Prometheus;
using ConnBurst.Common;
using ConnBurst.Export;
using ConnBurst.Monitor;

namespace ConnBurst.Cli.Commands;

/// <summary><c>connburst monitor</c>: sample the server machine and record on remote START/STOP (docs/monitor-protocol.md).</summary>
internal static class MonitorCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description =
            "Control address ADDR:PORT (port 0 picks a free one); loopback by default, so a load generator on another machine needs " +
            "--listen 0.0.0.0:8888 and a --monitor-token",
            DefaultValueFactory = _ => $"127.0.0.1:{MonitorOptions.DefaultPort}" };
        var results = new Option<string>("--out") { Description = "Directory for results (created if missing)",
            DefaultValueFactory = _ => "results" };
        var process = new Option<string?>("--process") { Description =
            "Watch the process with this name (like ps -C NAME): CPU, RSS, fds and CPU per thread" };
        var pid = new Option<int?>("--pid") { Description = "Watch the process with this pid" };
        var port = new Option<int?>("--port") { Description = "Watch the TCP sockets on this port: counts by state, Recv-Q/Send-Q" };
        var interval = new DurationOption("--interval") { Description = "Sampling interval (e.g. 1s, 250ms)",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(1) };
        var maxRecording = new DurationOption("--max-recording") { Description =
            "End and write a recording whose STOP never comes after this long", DefaultValueFactory = _ => TimeSpan.FromHours(2) };
        var token = new Option<string?>("--monitor-token") { Description =
            $"Require AUTH <token> first (or set {MonitorClient.TokenVariable})" };
        var graphite = new Option<string?>("--graphite") { Description =
            "Send every sample to Graphite's plaintext port HOST:PORT (usually 2003)" };
        var socketBudget = new PercentOption("--socket-budget") { Description =
            "Percent of one core the --port socket dump may use; beyond it sockets are sampled every Nth interval (0: every interval)",
            DefaultValueFactory = _ => 0.5 };
        var prometheus = new Option<string?>("--prometheus") { Description =
            "Serve the latest sample at http://HOST:PORT/metrics for Prometheus (e.g. 127.0.0.1:9466)" };
        var prefix = new Option<string?>("--graphite-root") { Description =
            "Graphite metric root: metrics are [ROOT.]connburst.monitor.HOST.NAME" };
        var perf = new Option<bool>("--perf") { Description =
            "When the watched process is CPU-bound during a recording, sample it with perf record and report its busiest threads' top " +
            "functions (needs --process or --pid; a .NET server needs DOTNET_PerfMapEnabled=1 for managed names)" };
        var perfCpuBound = new PercentOption("--perf-cpu-bound") { Description =
            "CPU-bound means at least this % of one core in one sample (the process's threads together)", DefaultValueFactory = _ => 50 };
        var perfFrequency = new Option<int>("--perf-frequency") { Description = "perf's sampling frequency in Hz (1-999)",
            DefaultValueFactory = _ => 199 };
        var perfWindow = new DurationOption("--perf-window") { Description =
            "How long perf samples, at most (1s-60s; STOP ends it earlier)", DefaultValueFactory = _ => TimeSpan.FromSeconds(10) };

        var cmd = new Command("monitor",
            "Sample CPU per core, memory, network, disk, load (and a process's threads and a port's socket queues) and record between " +
            "START and STOP sent over TCP.")
        {
            listen, results, process, pid, port, interval, maxRecording, token, graphite, prefix, socketBudget, prometheus, perf,
                perfCpuBound, perfFrequency, perfWindow,
        };
        LegacyNames.Add(cmd, results, "--results");
        LegacyNames.Add(cmd, token, "--token");
        LegacyNames.Add(cmd, prefix, "--graphite-prefix");
        CommandAction.Set(cmd, async (p, ct) =>
        {
            var options = new MonitorOptions
            {
                Listen = HostPort.Parse(p.GetValue(listen)!, "--listen", MonitorOptions.DefaultPort),
                ResultsDir = p.GetValue(results)!,
                ProcessName = p.GetValue(process),
                Pid = p.GetValue(pid),
                Port = p.GetValue(port),
                Interval = p.GetValue(interval),
                MaxRecording = p.GetValue(maxRecording),
                Token = p.GetValue(token) ?? NullIfEmpty(Environment.GetEnvironmentVariable(MonitorClient.TokenVariable)),
                Graphite = p.GetValue(graphite) is { } g ? HostPort.Parse(g, "--graphite", 2003) : null,
                GraphitePrefix = p.GetValue(prefix) is { } root ? $"{root}.{MonitorOptions.DefaultGraphitePrefix()}"
                    : MonitorOptions.DefaultGraphitePrefix(),
                SocketBudgetPercent = p.GetValue(socketBudget),
                Perf = p.GetValue(perf)
                    ? new Monitor.Perf.PerfSettings(p.GetValue(perfCpuBound), p.GetValue(perfFrequency),
                    p.GetValue(perfWindow))
                    : null,
            }.Validate();
            return await RunAsync(options, p.GetValue(prometheus), ct);
        });
        return cmd;
    }

    private static async Task<int> RunAsync(MonitorOptions options, string? prometheus, CancellationToken ct)
    {
        var endpoint = options.Listen.Host == "localhost" ? new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, options.Listen.Port)
            : options.Listen.Resolve("--listen");
        var target = options.ProcessName is { } name ? ProcessTarget.ByName(name) : options.Pid is { } pid ? ProcessTarget.ByPid(pid)
            : null;
        if (target is not null) target.Notice += m => Console.WriteLine("monitor: " + m);
        await using var graphite = options.Graphite is { } g ? new GraphitePlaintextExporter(g) : null;
        using var sampler = new SystemSampler(target, options.Port, options.SocketBudgetPercent);
        sampler.Notice += m => Console.WriteLine("monitor: " + m);
        using var service = new MonitorService(options, sampler, graphite, Console.Out, Console.Error,
            Reporting.Recordings.MonitorResultsWriter.Write);
        using var prom = PrometheusEndpoint.StartIfGiven(prometheus);
        if (prom is not null) MonitorMetrics.Expose(prom, service);
        var server = new ControlServer(service, endpoint, options.Token);
        try
        {
            server.Start();
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new InputException($"--listen {options.Listen}: cannot listen ({e.SocketErrorCode})");
        }
        await using (server)
        {
            PrintConfiguration(options, sampler, target);
            if (options.OpenToNetwork && options.Token is null)
            {
                Console.Error.WriteLine("WARNING ==============================================================");
                Console.Error.WriteLine($"WARNING monitor control port {server.LocalEndpoint} is open to the network WITHOUT a token:");
                Console.Error.WriteLine("WARNING anyone who can reach it can START/STOP recordings and read summaries.");
                Console.Error.WriteLine(
                    $"WARNING use --monitor-token SECRET (or {MonitorClient.TokenVariable}) or --listen 127.0.0.1:PORT.");
                Console.Error.WriteLine("WARNING ==============================================================");
            }
            if (prom is not null) Console.WriteLine($"prometheus metrics at {prom.Url}");
            Console.WriteLine($"listening on {server.LocalEndpoint}");
            await service.RunAsync(ct);
        }
        if (graphite is not null)
        {
            var s = graphite.Stats;
            Console.WriteLine(
                $"graphite {options.Graphite}: {s.LinesQueued} lines queued, {s.BytesSent} bytes sent, {s.LinesDropped} dropped, " +
                $"{s.Failures} connection failures{(s.LastError is null ? "" : $" (last: {s.LastError})")}");
        }
        if (service.OverrunSamples > 0) Console.Error.WriteLine($"monitor: {service.OverrunSamples} samples took longer than the interval");
        if (service.LastResultsPath is { } last) Console.WriteLine(last);
        return ExitCodes.Ok;
    }

    private static void PrintConfiguration(MonitorOptions o, SystemSampler sampler, ProcessTarget? target)
    {
        Console.WriteLine(
            $"connburst monitor: {sampler.Cores} cores, interfaces {string.Join(',', sampler.Interfaces)}, disks " +
            $"{(sampler.Disks.Count == 0 ? "none" : string.Join(',', sampler.Disks))}");
        Console.WriteLine(
            $"  interval {Durations.Format(o.Interval)}, max recording {Durations.Format(o.MaxRecording)}, results " +
            $"{Path.GetFullPath(o.ResultsDir)}, auth {(o.Token is null ? "none" : "token")}");
        if (target is not null) Console.WriteLine($"  process {target.Describe()}");
        if (o.Port is { } port) Console.WriteLine($"  sockets on port {port}");
        if (o.Graphite is { } g) Console.WriteLine($"  graphite {g} as {o.GraphitePrefix}.*");
        if (o.Perf is { } perf)
        {
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"  perf when the process reaches {perf.CpuBoundPercent:0.#}% of one core: {perf.FrequencyHz} Hz for up to " +
                    $"{Durations.Format(perf.Window)}, once per recording"));
            if (Monitor.Perf.PerfTool.WhyUnavailable() is { } why) Console.WriteLine($"  {why.Note}");
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
