using System.Diagnostics;
using System.Net.Sockets;
using ConnBurst.Pki;

namespace ConnBurst.Tests.Infrastructure;

/// <summary>
/// The real Debian RabbitMQ (3.10, MQTT 3.1.1 through its rabbitmq_mqtt plugin) as a broker with a user: MQTT over mutual
/// TLS on a free loopback port, anonymous clients refused, one user <see cref="User"/>/<see cref="Password"/>. Its node
/// name, Erlang distribution and epmd ports, data and config live apart from any other RabbitMQ on the machine (a temp
/// directory, free ports), so tests and a system broker do not collide. Dispose stops the node and its epmd.
/// </summary>
internal sealed class RabbitMqBroker : IDisposable
{
    public const string Executable = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    public const string User = "connburst";
    public const string Password = "cb-secret";

    private readonly TempDir _dir = new();
    private readonly Process _process;
    private readonly int _epmdPort = FreePort.Next();
    private readonly System.Text.StringBuilder _output = new();

    public int Port { get; } = FreePort.Next();
    public string Target => $"127.0.0.1:{Port}";
    public string Output { get { lock (_output) return _output.ToString(); } }

    public RabbitMqBroker(PkiManifest? pki = null)
    {
        var m = pki ?? TestPki.Manifest;
        File.WriteAllLines(_dir.Combine("rabbitmq.conf"),
        [
            "listeners.tcp = none",
            "mqtt.listeners.tcp = none",
            $"mqtt.listeners.ssl.default = 127.0.0.1:{Port}",
            $"ssl_options.cacertfile = {m.PathOf(m.Ca.Cert)}",
            $"ssl_options.certfile = {m.PathOf(m.Server.Cert)}",
            $"ssl_options.keyfile = {m.PathOf(m.Server.Key)}",
            "ssl_options.verify = verify_peer",
            "ssl_options.fail_if_no_peer_cert = true",
            $"default_user = {User}",
            $"default_pass = {Password}",
            "loopback_users = none",
            "mqtt.allow_anonymous = false",
        ]);
        File.WriteAllText(_dir.Combine("enabled_plugins"), "[rabbitmq_mqtt].\n");
        Directory.CreateDirectory(_dir.Combine("home"));
        var psi = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = _dir.Path };
        var env = new Dictionary<string, string>
        {
            ["HOME"] = _dir.Combine("home"), // the Erlang cookie
            ["RABBITMQ_NODENAME"] = $"connburst{Port}@localhost",
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = FreePort.Next().ToString(),
            ["RABBITMQ_DIST_PORT"] = FreePort.Next().ToString(),
            ["ERL_EPMD_PORT"] = _epmdPort.ToString(),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_MNESIA_BASE"] = _dir.Combine("mnesia"),
            ["RABBITMQ_LOG_BASE"] = _dir.Combine("log"),
            ["RABBITMQ_CONFIG_FILE"] = _dir.Combine("rabbitmq.conf"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = _dir.Combine("enabled_plugins"),
            ["RABBITMQ_PID_FILE"] = _dir.Combine("rabbitmq.pid"),
            ["RABBITMQ_LOGS"] = "-",
        };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start rabbitmq-server");
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilListening(TimeSpan.FromMinutes(3));
    }

    /// <summary>The node boots in 10-20 s on a quiet machine; its MQTT listener opens last.</summary>
    private void WaitUntilListening(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"rabbitmq-server exited ({_process.ExitCode}): {Output}");
            try
            {
                using var c = new TcpClient();
                c.Connect("127.0.0.1", Port);
                return;
            }
            catch (SocketException) { Thread.Sleep(250); }
        }
        Dispose();
        throw new TimeoutException($"rabbitmq-server did not listen on {Target}: {Output}");
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); _process.WaitForExit(10_000); }
        catch (InvalidOperationException) { }
        // epmd daemonizes itself out of the node's process tree: end the one started on this node's own port.
        try
        {
            var psi = new ProcessStartInfo("epmd") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-port", _epmdPort.ToString(), "-kill" }) psi.ArgumentList.Add(a);
            using var epmd = Process.Start(psi);
            epmd?.WaitForExit(10_000);
        }
        catch (System.ComponentModel.Win32Exception) { }
        _process.Dispose();
        _dir.Dispose();
    }
}
