using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ConnBurst.Tests.Infrastructure;

/// <summary>One host of <see cref="NamespaceHosts"/>: a network namespace and its addresses (the first is its main one).</summary>
public sealed record NamespaceHost(string Role, string Namespace, IReadOnlyList<string> Addresses)
{
    public string Address => Addresses[0];

    /// <summary>Every address, comma-separated, as <c>burst --source-ips</c> takes them.</summary>
    public string SourceIps => string.Join(',', Addresses);

    /// <summary>Runs a command inside this host: <c>ip netns exec NS</c> execs it in place, so its pid is the command's.</summary>
    public IReadOnlyList<string> Launcher => [NamespaceHosts.Tool("ip"), "netns", "exec", Namespace];

    public override string ToString() => $"{Role} ({Namespace}: {SourceIps})";
}

/// <summary>
/// Three hosts on one machine (docs/SCALE.md: "The proof here: three hosts"): a server host and two agent
/// hosts, each a network namespace with a veth pair into a bridge that lives in a fourth namespace (the switch), so
/// nothing is added to the machine's own network and nothing leaves it. Addresses are from 198.18.0.0/15, the range
/// reserved for benchmarking; since every run has its own switch, parallel runs may use the same ones:
/// <list type="bullet">
/// <item>server 198.18.0.1/24</item>
/// <item>agent 0: 198.18.0.11 and 198.18.0.12; agent 1: 198.18.0.21 and 198.18.0.22</item>
/// <item>the switch's bridge 198.18.0.254: the operator's seat, where the test itself connects from (<see cref="ConnectAsync"/>)</item>
/// </list>
/// Namespace names carry this process's pid and a sequence number (<c>connburst-PID-N-ROLE</c>), so parallel test
/// runs never collide; leftovers of a test process that no longer exists are deleted when the next fixture starts.
/// Dispose kills every process it started (and any other left inside its namespaces), then deletes the namespaces,
/// which takes their veth pairs, the bridge and the firewall rules with them, whatever state a failed test left.
/// Needs root (CI runs the suite as root), iproute2 and, for <see cref="Drop"/> and <see cref="CountSyns"/>, nftables.
/// </summary>
public sealed partial class NamespaceHosts : IDisposable
{
    public const string Subnet = "198.18.0.0/24";
    private const string NamePrefix = "connburst-";
    private static int _sequence;

    private readonly List<string> _namespaces = [];
    private readonly List<CliProcess> _cli = [];
    private readonly List<HostProcess> _processes = [];
    private readonly Lock _gate = new();
    private bool _disposed;

    public NamespaceHost Server { get; }
    public NamespaceHost Agent0 { get; }
    public NamespaceHost Agent1 { get; }
    /// <summary>The namespace holding the bridge; its address 198.18.0.254 is where the test connects from.</summary>
    public NamespaceHost Switch { get; }
    public IReadOnlyList<NamespaceHost> Agents => [Agent0, Agent1];

    public NamespaceHosts()
    {
        if (Environment.UserName != "root" && geteuid() != 0)
            throw new InvalidOperationException("NamespaceHosts needs root (ip netns add); the suite runs as root in CI");
        RemoveLeftovers();
        var id = $"{NamePrefix}{Environment.ProcessId}-{Interlocked.Increment(ref _sequence)}";
        Switch = new NamespaceHost("switch", id + "-switch", ["198.18.0.254"]);
        Server = new NamespaceHost("server", id + "-server", ["198.18.0.1"]);
        Agent0 = new NamespaceHost("agent0", id + "-agent0", ["198.18.0.11", "198.18.0.12"]);
        Agent1 = new NamespaceHost("agent1", id + "-agent1", ["198.18.0.21", "198.18.0.22"]);
        try
        {
            Build();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void Build()
    {
        foreach (var h in new[] { Switch, Server, Agent0, Agent1 })
        {
            Ip("netns", "add", h.Namespace);
            lock (_gate) _namespaces.Add(h.Namespace);
            Ip("-n", h.Namespace, "link", "set", "lo", "up");
        }
        Ip("-n", Switch.Namespace, "link", "add", "br0", "type", "bridge");
        Ip("-n", Switch.Namespace, "addr", "add", Switch.Address + "/24", "dev", "br0");
        Ip("-n", Switch.Namespace, "link", "set", "br0", "up");
        var port = 0;
        foreach (var h in new[] { Server, Agent0, Agent1 })
        {
            // Interface names are per namespace: every host sees its own eth0, the switch its ports.
            var sw = $"port{port++}";
            Ip("link", "add", "eth0", "netns", h.Namespace, "type", "veth", "peer", "name", sw, "netns", Switch.Namespace);
            Ip("-n", Switch.Namespace, "link", "set", sw, "master", "br0");
            Ip("-n", Switch.Namespace, "link", "set", sw, "up");
            foreach (var a in h.Addresses) Ip("-n", h.Namespace, "addr", "add", a + "/24", "dev", "eth0");
            Ip("-n", h.Namespace, "link", "set", "eth0", "up");
        }
        // Ready when every host answers a connect from the switch (an RST from a closed port proves the path).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        foreach (var h in new[] { Server, Agent0, Agent1 })
        {
            foreach (var a in h.Addresses)
            {
                while (!Answers(Switch, new IPEndPoint(IPAddress.Parse(a), 9)))
                {
                    if (DateTime.UtcNow > deadline) throw new TimeoutException($"{h}: {a} does not answer from the switch: {Describe()}");
                    Thread.Sleep(100);
                }
            }
        }
    }

    /// <summary>Starts <c>connburst ARGS</c> inside <paramref name="host"/>; killed on Dispose if still running.</summary>
    public CliProcess Connburst(NamespaceHost host, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var p = CliProcess.Start(args, env, launcher: host.Launcher);
        lock (_gate) _cli.Add(p);
        return p;
    }

    /// <summary>Starts any command inside <paramref name="host"/>, its output captured; killed on Dispose if still running.</summary>
    public HostProcess Exec(NamespaceHost host, params string[] command)
    {
        var p = new HostProcess([.. host.Launcher, .. command]);
        lock (_gate) _processes.Add(p);
        return p;
    }

    /// <summary>Runs a short command inside <paramref name="host"/> to its end and returns its output; throws unless it exits 0.</summary>
    public string Run(NamespaceHost host, params string[] command)
    {
        using var p = Exec(host, command);
        var (code, stdout, stderr) = p.Wait(TimeSpan.FromSeconds(30));
        if (code != 0)
            throw new InvalidOperationException($"{string.Join(' ', command)} in {host}: exit {code}: {stderr.Trim()} {stdout.Trim()}");
        return stdout;
    }

    /// <summary>
    /// A TCP socket made inside <paramref name="from"/>'s namespace, connected to <paramref name="to"/>: how the test,
    /// an ordinary process of the machine's own namespace, talks to the hosts (from the switch: the operator's seat).
    /// </summary>
    public async Task<Socket> ConnectAsync(NamespaceHost from, IPEndPoint to, TimeSpan timeout)
    {
        var s = SocketIn(from);
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await s.ConnectAsync(to, cts.Token);
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    /// <summary>True when something at <paramref name="to"/> accepts a connection from <paramref name="from"/>.</summary>
    public bool CanConnect(NamespaceHost from, IPEndPoint to)
    {
        using var s = SocketIn(from);
        try
        {
            var connect = s.ConnectAsync(to);
            return connect.Wait(TimeSpan.FromSeconds(2)) && s.Connected;
        }
        catch (AggregateException e) when (e.InnerException is SocketException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="to"/> answers at all (accepts or refuses), i.e. the path works.</summary>
    private bool Answers(NamespaceHost from, IPEndPoint to)
    {
        using var s = SocketIn(from);
        try
        {
            return s.ConnectAsync(to).Wait(TimeSpan.FromSeconds(1));
        }
        catch (AggregateException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            return true;
        }
        catch (AggregateException e) when (e.InnerException is SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// A socket belongs to the namespace of the thread that created it: a dedicated thread joins the host's namespace
    /// (setns), creates the socket and ends, so no thread of the test process is left in another namespace.
    /// </summary>
    private static Socket SocketIn(NamespaceHost host)
    {
        Socket? socket = null;
        Exception? error = null;
        var t = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle("/run/netns/" + host.Namespace);
                if (setns((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new IOException($"setns {host.Namespace}: errno {Marshal.GetLastPInvokeError()}");
                socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            }
            catch (Exception e)
            {
                error = e;
            }
        }) { IsBackground = true, Name = "setns " + host.Role };
        t.Start();
        t.Join();
        return socket ?? throw new InvalidOperationException($"cannot make a socket in {host}", error);
    }

    /// <summary>
    /// Drops, on <paramref name="on"/>'s input, every packet from <paramref name="sources"/> (to <paramref name="port"/>
    /// only, when given): the seed's troubleshooting case, a firewall on the server host. Dispose removes the rule.
    /// </summary>
    public FirewallRule Drop(NamespaceHost on, IReadOnlyList<string> sources, int? port = null)
    {
        EnsureTable(on);
        var match = $"ip saddr {{ {string.Join(", ", sources)} }}{(port is { } p ? $" tcp dport {p}" : "")}";
        var echo = Nft(on, ["--echo", "--handle", "add", "rule", "inet", "connburst", "input", .. match.Split(' '), "counter", "drop"]);
        var m = HandleOf().Match(echo);
        if (!m.Success) throw new InvalidOperationException($"nft did not echo the rule's handle: {echo}");
        return new FirewallRule(this, on, "input", int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), $"drop {match}");
    }

    /// <summary>
    /// Counts, on <paramref name="on"/>, the SYNs each of <paramref name="sources"/> sends to <paramref name="port"/> and
    /// the SYN-ACKs the host answers them with: which addresses the server really saw connections from.
    /// </summary>
    public SynCounters CountSyns(NamespaceHost on, int port, IReadOnlyList<string> sources)
    {
        EnsureTable(on);
        var names = new Dictionary<string, (string In, string Out)>();
        foreach (var a in sources)
        {
            var key = a.Replace('.', '_');
            var (cin, cout) = ($"syn_{key}_{port}", $"synack_{key}_{port}");
            Nft(on, "add", "counter", "inet", "connburst", cin);
            Nft(on, "add", "counter", "inet", "connburst", cout);
            Nft(on, "add", "rule", "inet", "connburst", "input", "ip", "saddr", a, "tcp", "dport",
                port.ToString(CultureInfo.InvariantCulture),
                "tcp", "flags", "&", "(syn|ack)", "==", "syn", "counter", "name", cin);
            Nft(on, "add", "rule", "inet", "connburst", "output", "ip", "daddr", a, "tcp", "sport",
                port.ToString(CultureInfo.InvariantCulture),
                "tcp", "flags", "&", "(syn|ack)", "==", "(syn|ack)", "counter", "name", cout);
            names[a] = (cin, cout);
        }
        return new SynCounters(this, on, names);
    }

    internal long CounterPackets(NamespaceHost on, string name)
    {
        var text = Nft(on, "list", "counter", "inet", "connburst", name);
        var m = PacketsOf().Match(text);
        return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"no packets in: {text}");
    }

    internal void DeleteRule(NamespaceHost on, string chain, int handle)
    {
        lock (_gate) if (_disposed) return; // the namespace, and its rules, are gone
        Nft(on, "delete", "rule", "inet", "connburst", chain, "handle", handle.ToString(CultureInfo.InvariantCulture));
    }

    private void EnsureTable(NamespaceHost on)
    {
        // "add" is idempotent in nft: the table and chains are made once per host.
        Nft(on, "add", "table", "inet", "connburst");
        Nft(on, "add", "chain", "inet", "connburst", "input", "{ type filter hook input priority 0 ; policy accept ; }");
        Nft(on, "add", "chain", "inet", "connburst", "output", "{ type filter hook output priority 0 ; policy accept ; }");
    }

    private static string Nft(NamespaceHost on, params string[] args)
    {
        var (code, stdout, stderr) = RunTool([Tool("ip"), "netns", "exec", on.Namespace, Tool("nft"), .. args]);
        if (code != 0) throw new InvalidOperationException($"nft {string.Join(' ', args)} in {on}: exit {code}: {stderr.Trim()}");
        return stdout;
    }

    /// <summary>Addresses, links and the nft ruleset of every host: for failure messages.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        foreach (var h in new[] { Switch, Server, Agent0, Agent1 })
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n[{h}] ");
            sb.Append(RunTool([Tool("ip"), "-n", h.Namespace, "-br", "addr"]).Stdout.Trim().Replace('\n', ';'));
        }
        return sb.ToString();
    }

    private static void Ip(params string[] args)
    {
        var (code, _, stderr) = RunTool([Tool("ip"), .. args]);
        if (code != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)}: exit {code}: {stderr.Trim()}");
    }

    private static (int Code, string Stdout, string Stderr) RunTool(string[] command)
    {
        using var p = new HostProcess(command);
        return p.Wait(TimeSpan.FromSeconds(30));
    }

    /// <summary>A system tool by its full path where it usually is (the test host's PATH may lack /usr/sbin), else by name.</summary>
    internal static string Tool(string name) =>
        new[] { "/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/" }.Select(d => d + name).FirstOrDefault(File.Exists) ?? name;

    /// <summary>Namespaces of ours whose test process is gone (a killed test host): deleted, with whatever ran in them.</summary>
    private static void RemoveLeftovers()
    {
        if (!Directory.Exists("/run/netns")) return;
        foreach (var path in Directory.GetFiles("/run/netns"))
        {
            var m = OwnName().Match(Path.GetFileName(path));
            if (!m.Success || Directory.Exists("/proc/" + m.Groups[1].Value)) continue;
            KillInside(Path.GetFileName(path));
            RunTool([Tool("ip"), "netns", "del", Path.GetFileName(path)]);
        }
    }

    /// <summary>Every process still inside namespace <paramref name="ns"/>, by pid (only ever one of ours).</summary>
    private static void KillInside(string ns)
    {
        var (_, stdout, _) = RunTool([Tool("ip"), "netns", "pids", ns]);
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != Environment.ProcessId)
            {
                try { using var p = Process.GetProcessById(pid); p.Kill(entireProcessTree: true); p.WaitForExit(5000); }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
            }
        }
    }

    public void Dispose()
    {
        List<CliProcess> cli;
        List<HostProcess> processes;
        List<string> namespaces;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            (cli, processes, namespaces) = ([.. _cli], [.. _processes], [.. _namespaces]);
        }
        foreach (var p in cli) p.Dispose();
        foreach (var p in processes) p.Dispose();
        foreach (var ns in namespaces)
        {
            KillInside(ns);
            RunTool([Tool("ip"), "netns", "del", ns]);
        }
    }

    private const int CloneNewNet = 0x40000000;

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);

    [DllImport("libc")]
    private static extern uint geteuid();

    [GeneratedRegex(@"^connburst-(\d+)-\d+-(?:switch|server|agent\d+)$")]
    private static partial Regex OwnName();

    [GeneratedRegex(@"# handle (\d+)")]
    private static partial Regex HandleOf();

    [GeneratedRegex(@"packets (\d+)")]
    private static partial Regex PacketsOf();
}

/// <summary>One nft rule on a host; Dispose deletes it (a no-op once the hosts are gone).</summary>
public sealed class FirewallRule(NamespaceHosts hosts, NamespaceHost on, string chain, int handle, string text) : IDisposable
{
    private int _deleted;

    public string Text => text;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _deleted, 1) == 0) hosts.DeleteRule(on, chain, handle);
    }

    public override string ToString() => $"{on.Role}: {text}";
}

/// <summary>SYN and SYN-ACK packet counts per source address, read from the host's nft counters.</summary>
public sealed class SynCounters(NamespaceHosts hosts, NamespaceHost on, IReadOnlyDictionary<string, (string In, string Out)> names)
{
    /// <summary>Address, SYNs received from it, SYN-ACKs sent back to it.</summary>
    public IReadOnlyDictionary<string, (long Syns, long SynAcks)> Read() =>
        names.ToDictionary(kv => kv.Key, kv => (hosts.CounterPackets(on, kv.Value.In), hosts.CounterPackets(on, kv.Value.Out)));
}

/// <summary>Any command as a child process, stdout and stderr captured; Dispose kills it and its children.</summary>
public sealed class HostProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    public HostProcess(IReadOnlyList<string> command)
    {
        var psi = new ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_gate) _stdout.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_gate) _stderr.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Stdout { get { lock (_gate) return _stdout.ToString(); } }
    public string Stderr { get { lock (_gate) return _stderr.ToString(); } }

    /// <summary>Waits for the end (killing it at <paramref name="timeout"/>) and returns exit code and output.</summary>
    public (int Code, string Stdout, string Stderr) Wait(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException(
                $"{_process.StartInfo.FileName} {string.Join(' ', _process.StartInfo.ArgumentList)} did not exit within {timeout}: " +
                $"{Stderr}");
        }
        _process.WaitForExit(); // drains the output readers
        return (_process.ExitCode, Stdout, Stderr);
    }

    public void Kill()
    {
        try { if (!_process.HasExited) { _process.Kill(entireProcessTree: true); _process.WaitForExit(5000); } }
        catch (InvalidOperationException) { }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
