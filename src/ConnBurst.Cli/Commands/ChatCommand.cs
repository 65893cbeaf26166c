using System.CommandLine;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using ConnBurst.Cli.Progress;
using ConnBurst.Common;
using ConnBurst.Load.Chat;
using ConnBurst.Pki;
using ConnBurst.Runs;
using ConnBurst.Tls;

namespace ConnBurst.Cli.Commands;

/// <summary>
/// <c>connburst chat SERVER_IP PORT tls12|tls13 CLIENTS MESSAGES DURATION</c>: the chat benchmark's client tester
/// (distributed-tls-performance-testing), with its positional form and file names, plus options.
/// </summary>
internal static class ChatCommand
{
    public static Command Create()
    {
        var server = new Argument<string>("SERVER_IP") { Description = "The chat server's IP address (or host name)" };
        var port = new Argument<int>("PORT") { Description = "The chat server's port (the chat benchmark's is 8080)" };
        var version = new Argument<string>("TLS") { Description = "tls12 or tls13" };
        var clients = new Argument<int>("CLIENTS") { Description = "Concurrent clients (connections)" };
        var messages = new Argument<int>("MESSAGES") { Description = "Messages each client sends" };
        var duration = new Argument<string>("DURATION") { Description = "Seconds (or 500ms, 2m...) the messages are spread over" };
        var pki = new Option<string?>("--pki") { Description =
            "Trust the CA of this PKI directory (default: the embedded PKI under $CONNBURST_HOME/pki)" };
        var ca = new Option<string?>("--ca") { Description =
            "Trust this CA certificate (PEM) instead: for a server with its own certificate" };
        var insecure = new Option<bool>("--insecure") { Description = "Accept any server certificate (prints a warning)" };
        var clientCert = new Option<bool>("--client-cert") { Description =
            "Present the PKI's client certificate (for serve chat --client-cert)" };
        var room = new Option<string>("--room") { Description = "Room name (with --rooms N: NAME-0 ... NAME-(N-1))",
            DefaultValueFactory = _ => "bench" };
        var rooms = new Option<int>("--rooms") { Description = "Spread the clients over N rooms (client i joins room i mod N)",
            DefaultValueFactory = _ => 1 };
        var size = new Option<int>("--message-size") { Description = "Bytes of text per message (at least its timing stamp)",
            DefaultValueFactory = _ => 64 };
        var rate = new Option<double?>("--rate") { Description =
            "Messages per second over all clients (default: each client's messages spread evenly over DURATION)" };
        var monitor = new Option<string?>("--monitor") { Description =
            "The server monitor's control address HOST:PORT (default port 8888): START/STOP around the run" };
        var monitorToken = new Option<string?>("--monitor-token") { Description =
            $"The monitor's AUTH token (default: ${Monitor.MonitorClient.TokenVariable})" };
        var requireMonitor = new Option<bool>("--require-monitor") { Description =
            "Fail when the monitor cannot be reached (default: warn and run anyway)" };
        var results = new Option<string>("--out") { Description = "Results directory (created if missing)",
            DefaultValueFactory = _ => "results" };
        var compare = new Option<string?>("--compare") { Description =
            "Run several TLS versions back to back and compare them, e.g. tls12,tls13 (the server must accept both: " +
            "serve chat --tls any)" };
        var connectTimeout = new DurationOption("--connect-timeout") { Description =
            "TCP connect timeout, and the TLS handshake and JOIN timeout", DefaultValueFactory = _ => TimeSpan.FromSeconds(10) };
        var drainTimeout = new DurationOption("--drain-timeout") { Description =
            "How long to wait after the last send for the last broadcasts", DefaultValueFactory = _ => TimeSpan.FromSeconds(15) };

        var cmd = new Command("chat",
            "The chat benchmark's chat client tester: CLIENTS TLS connections join rooms and send MESSAGES each over DURATION; round " +
            "trip, fan-out, connect times; the chat benchmark's txt and PNG plus a results JSON.")
        {
            server, port, version, clients, messages, duration,
            pki, ca, insecure, clientCert, room, rooms, size, rate, monitor, monitorToken, requireMonitor, results, compare, connectTimeout,
            drainTimeout,
        };
        LegacyNames.Add(cmd, results, "--results");
        CommandAction.Set(cmd, async (p, ct) =>
        {
            if (p.GetValue(insecure) && (p.GetValue(ca) is not null || p.GetValue(pki) is not null))
                throw new InputException("--insecure cannot be combined with --ca or --pki");
            if (p.GetValue(ca) is not null && p.GetValue(pki) is not null)
                throw new InputException("give --pki DIR or --ca FILE, not both");
            var target = new HostPort(p.GetValue(server)!.Trim(), p.GetValue(port));
            var protocols = p.GetValue(compare) is { } list
                ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(ChatRunOptions.ParseProtocol).Distinct().ToList()
                : [ChatRunOptions.ParseProtocol(p.GetValue(version)!)];
            if (p.GetValue(compare) is not null && protocols.Count < 2)
                throw new InputException("--compare needs at least two TLS versions, e.g. tls12,tls13");
            var trust = Trust(p.GetValue(pki), p.GetValue(ca), p.GetValue(insecure), p.GetValue(clientCert));
            var timeout = p.GetValue(connectTimeout);
            var runs = protocols.Select(protocol => new ChatRunOptions
            {
                Server = target,
                Protocol = protocol,
                Clients = p.GetValue(clients),
                MessagesPerClient = p.GetValue(messages),
                Duration = Durations.Parse(p.GetValue(duration)!, "DURATION"),
                Tls = trust.Factory(protocol, target.Host).Options,
                Trust = trust.Description,
                Room = p.GetValue(room)!,
                Rooms = p.GetValue(rooms),
                MessageSize = p.GetValue(size),
                Rate = p.GetValue(rate),
                Monitor = p.GetValue(monitor) is { } m ? HostPort.Parse(m, "--monitor", defaultPort: 8888) : null,
                MonitorToken = p.GetValue(monitorToken),
                RequireMonitor = p.GetValue(requireMonitor),
                ResultsDir = p.GetValue(results)!,
                ConnectTimeout = timeout,
                HandshakeTimeout = timeout,
                DrainTimeout = p.GetValue(drainTimeout),
            }.Validate()).ToList();
            if (trust.Insecure) Console.Error.WriteLine("connburst chat: WARNING --insecure: the server's certificate is not checked");
            var series = await ChatSeries.RunAsync(runs, new ChatSeriesConsole(), ct);
            Console.WriteLine(series.LastJson); // last line of stdout: the (last) results JSON
            return series.Failed ? ExitCodes.RunFailed : ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>How the server is trusted, resolved once: a factory per TLS version shares the roots and client certificate.</summary>
    private sealed record TrustChoice(X509Certificate2Collection? Roots, CertificateWithChain? Client, bool Insecure, string Description)
    {
        public TlsClientFactory Factory(SslProtocols protocol, string host) =>
            new(TlsOptions.Create(protocol == SslProtocols.Tls13 ? TlsProtocol.Tls13 : TlsProtocol.Tls12), host, Roots, Client, Insecure);
    }

    private static TrustChoice Trust(string? pkiDir, string? caFile, bool insecure, bool clientCert)
    {
        if (insecure)
        {
            if (clientCert) throw new InputException("--client-cert needs --pki (the client certificate comes from the PKI)");
            return new TrustChoice(null, null, true, "insecure");
        }
        if (caFile is not null)
        {
            if (clientCert) throw new InputException("--client-cert needs --pki (the client certificate comes from the PKI)");
            return new TrustChoice(TlsCertificates.LoadAll(Path.GetFullPath(caFile)), null, false, $"ca {Path.GetFullPath(caFile)}");
        }
        var m = DefaultPki.Resolve(pkiDir, msg => Console.WriteLine($"chat: {msg}"));
        return new TrustChoice(TlsCertificates.Roots(m), clientCert ? TlsCertificates.Client(m) : null, false, $"pki {m.Directory}");
    }
}
