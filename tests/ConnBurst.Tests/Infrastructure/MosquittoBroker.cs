using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ConnBurst.Pki;

namespace ConnBurst.Tests.Infrastructure;

/// <summary>
/// The real Debian Mosquitto (/usr/sbin/mosquitto) as the seed configures it: mutual TLS 1.2 on a free loopback port,
/// <c>require_certificate</c>, the PKI's CA and its CRL (10,000 revoked serials in <see cref="TestPki"/>). Its own
/// config and log live in a temp directory; Dispose kills it. Elsewhere than loopback: <c>listenAddress</c> with a
/// <c>launcher</c> that runs it there (such as <c>ip netns exec NS</c>, see <see cref="NamespaceHosts"/>) and
/// <c>canConnect</c>, how to tell from here that it listens.
/// </summary>
internal sealed class MosquittoBroker : IDisposable
{
    public const string Executable = "/usr/sbin/mosquitto";

    private readonly Process _process;
    private readonly TempDir _dir = new();

    public int Port { get; }
    public string ListenAddress { get; }
    public string Target => $"{ListenAddress}:{Port}";
    public string LogPath => _dir.Combine("mosquitto.log");
    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    public MosquittoBroker(PkiManifest? pki = null, string tlsVersion = "tlsv1.2", bool logConnections = false,
        string listenAddress = "127.0.0.1", IReadOnlyList<string>? launcher = null, Func<IPEndPoint, bool>? canConnect = null,
        string? passwordFile = null)
    {
        var m = pki ?? TestPki.Manifest;
        ListenAddress = listenAddress;
        Port = FreePort.Next();
        var conf = _dir.Combine("mosquitto.conf");
        var lines = new List<string>
        {
            "per_listener_settings true",
            $"listener {Port} {listenAddress}",
            $"cafile {m.PathOf(m.Ca.Cert)}",
            $"certfile {m.PathOf(m.Server.Cert)}",
            $"keyfile {m.PathOf(m.Server.Key)}",
            $"crlfile {m.PathOf(m.Crl)}",
            "require_certificate true",
            $"tls_version {tlsVersion}",
            passwordFile is null ? "allow_anonymous true" : "allow_anonymous false",
            "max_connections -1",
            "max_keepalive 65535",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
        };
        // With a password file (mosquitto_passwd's), a client needs a user name and password as well as its certificate.
        if (passwordFile is not null) lines.Add($"password_file {passwordFile}");
        // Notices name every client id as it connects, and say when a duplicate id takes a session over.
        if (logConnections) lines.Add("log_type notice");
        // Mosquitto drops root to user "mosquitto", which cannot read the tests' 0600 keys: stay as the test user.
        if (Environment.UserName == "root") lines.Add("user root");
        File.WriteAllLines(conf, lines);
        var psi = new ProcessStartInfo(launcher is { Count: > 0 } ? launcher[0] : Executable) { UseShellExecute = false,
            RedirectStandardError = true, RedirectStandardOutput = true };
        if (launcher is { Count: > 0 })
        {
            // The launcher must exec the broker in place (as ip netns exec does), so this process's pid is Mosquitto's.
            foreach (var a in launcher.Skip(1)) psi.ArgumentList.Add(a);
            psi.ArgumentList.Add(Executable);
        }
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(conf);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start mosquitto");
        GiveBrokerPrecedence();
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) File.AppendAllText(LogPath, e.Data + "\n"); };
        _process.BeginErrorReadLine();
        WaitUntilListening(TimeSpan.FromSeconds(20), canConnect ?? CanConnectHere);
    }

    public int Pid => _process.Id;

    /// <summary>
    /// Mosquitto 2.0.11 listens with a fixed backlog of 100 (no option changes it). Here it shares 2 cores with the
    /// load generator, which the seed puts on another machine: when the generator's handshakes starve the broker's
    /// single thread for about half a second at 200 connects/s, the accept queue overflows and the kernel's SYN-cookie
    /// fallback resets a few connections (tls-reset or tls-other in a burst's results, one per SyncookiesFailed in
    /// /proc/net/netstat). A raised priority (nice -6) lets the broker drain its queue as it would on its own machine;
    /// the generator only falls behind schedule, which it reports. With two busy loops beside the 2,000-client test:
    /// 0 of 4 runs clean at normal priority (1-23 resets each), 4 of 4 with it. Needs root (as in CI); otherwise the
    /// broker runs at normal priority.
    /// </summary>
    private void GiveBrokerPrecedence()
    {
        try { _process.PriorityClass = ProcessPriorityClass.AboveNormal; }
        catch (System.ComponentModel.Win32Exception) { }
    }

    private void WaitUntilListening(TimeSpan timeout, Func<IPEndPoint, bool> canConnect)
    {
        var deadline = DateTime.UtcNow + timeout;
        var ep = new IPEndPoint(IPAddress.Parse(ListenAddress), Port);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"mosquitto exited ({_process.ExitCode}): {Log}");
            if (canConnect(ep)) return;
            Thread.Sleep(50);
        }
        throw new TimeoutException($"mosquitto did not listen on {Target}: {Log}");
    }

    private static bool CanConnectHere(IPEndPoint ep)
    {
        try
        {
            using var c = new TcpClient();
            c.Connect(ep);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(); _process.WaitForExit(5000); } catch (InvalidOperationException) { }
        _process.Dispose();
        _dir.Dispose();
    }
}
