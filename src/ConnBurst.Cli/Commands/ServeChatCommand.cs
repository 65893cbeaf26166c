using System.CommandLine;
using System.Net;
using ConnBurst.Chat;
using ConnBurst.Common;
using ConnBurst.Pki;
using ConnBurst.Servers.Chat;
using ConnBurst.Tls;

using ConnBurst.Results;
using ConnBurst.Runs;

namespace ConnBurst.Cli.Commands;

/// <summary><c>connburst serve chat</c>: the reference chat server over TLS 1.2/1.3 (docs/chat-protocol.md).</summary>
internal static class ServeChatCommand
{
    public static Command Create()
    {
        var pki = new Option<string?>("--pki") { Description =
            "PKI directory (connburst certs); default: the embedded one under $CONNBURST_HOME/pki" };
        var listen = new ListenOption("0.0.0.0", 8080,
            "every interface by default, as the chat benchmark's server: its testers run on other machines");
        var tls = new Option<string>("--tls") { Description = "TLS versions accepted: 1.2, 1.3 or any", DefaultValueFactory = _ => "any" };
        var ciphers = new Option<string?>("--ciphers") { Description =
            "Cipher suites, comma-separated (TLS 1.3 names like TLS_AES_256_GCM_SHA384, TLS 1.2 like ECDHE-RSA-AES256-GCM-SHA384)" };
        var clientCert = ClientCertOption.Create(ClientCertMode.Optional,
            "optional by default, as the chat benchmark's clients present none; a certificate given is checked");
        var maxLine = new Option<int>("--max-line") { Description = "Longest line in bytes",
            DefaultValueFactory = _ => ChatLimits.Default.MaxLineBytes };
        var maxRooms = new Option<int>("--max-rooms-per-client") { Description =
            "Rooms one connection may join (more is a JOIN flood: ERR and close)",
            DefaultValueFactory = _ => ChatLimits.Default.MaxRoomsPerClient };
        var maxMembers = new Option<int>("--max-clients-per-room") { Description = "Members one room may hold (more: ERR room-full)",
            DefaultValueFactory = _ => ChatLimits.Default.MaxClientsPerRoom };
        var sendQueue = new Option<int>("--send-queue") { Description = "Lines queued per connection before it is dropped as a slow reader",
            DefaultValueFactory = _ => 4096 };
        var handshakeTimeout = new DurationOption("--handshake-timeout") { Description =
            "Close a connection whose TLS handshake is not done by then", DefaultValueFactory = _ => TimeSpan.FromSeconds(10) };
        var results = new Option<string>("--out") { Description = "Directory for the results JSON written on exit",
            DefaultValueFactory = _ => "results" };
        var statsInterval = new DurationOption("--interval") { Description = "How often to print the counters (0: only at exit)",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(5) };
        var graphite = new ServerGraphiteOptions("chat");

        var cmd = new Command("chat",
            "The reference chat server: rooms, broadcast to every member, bounded send queues (slow readers are dropped), line and room " +
            "limits, counters.")
        {
            pki, tls, ciphers, clientCert, maxLine, maxRooms, maxMembers, sendQueue, handshakeTimeout, statsInterval, results,
        };
        listen.AddTo(cmd, oldBind: false);
        graphite.AddTo(cmd);
        LegacyNames.Add(cmd, results, "--results");
        LegacyNames.Add(cmd, statsInterval, "--stats-interval");
        CommandAction.Set(cmd, async (p, ct) =>
        {
            var clientCerts = ClientCertModes.Parse(p.GetValue(clientCert));
            var options = new ChatServerOptions
            {
                EndPoint = listen.Read(p),
                Limits = new ChatLimits { MaxLineBytes = p.GetValue(maxLine), MaxRoomsPerClient = p.GetValue(maxRooms),
                    MaxClientsPerRoom = p.GetValue(maxMembers) },
                SendQueueLines = p.GetValue(sendQueue),
                HandshakeTimeout = p.GetValue(handshakeTimeout),
            }.Validate();
            var stats = p.GetValue(statsInterval);
            var graphiteTo = graphite.Read(p); // bad input before any socket
            var tlsOptions = TlsOptions.Create(p.GetValue(tls), p.GetValue(ciphers));
            var manifest = DefaultPki.Resolve(p.GetValue(pki), m => Console.WriteLine($"serve chat: {m}"));
            var factory = TlsServerFactory.FromManifest(manifest, tlsOptions,
                clientCerts,
                m => Console.WriteLine($"serve chat: {m}"));

            var started = DateTimeOffset.UtcNow;
            await using var server = new ChatServer(options, factory, m => Console.WriteLine($"serve chat: {m}"));
            server.Start();
            var listening = server.LocalEndPoint?.ToString(); // the listener is gone after the stop
            Console.WriteLine(
                $"serve chat: {tlsOptions.Describe()}; client certificate {clientCerts.Name()}; " +
                              $"PKI {manifest.Directory}; max line {options.Limits.MaxLineBytes} B, {options.Limits.MaxRoomsPerClient} " +
                              $"rooms/client, " +
                              $"{options.Limits.MaxClientsPerRoom} clients/room, send queue {options.SendQueueLines} lines; handshake " +
                              $"timeout {Durations.Format(options.HandshakeTimeout)}");
            await using var graphiteOut = graphiteTo.Start(server.GraphiteMetrics, m => Console.WriteLine($"serve chat: {m}"));
            Console.WriteLine($"serve chat: listening on {server.LocalEndPoint} (Ctrl-C to stop)");
            try
            {
                if (stats > TimeSpan.Zero)
                {
                    using var timer = new PeriodicTimer(stats);
                    while (await timer.WaitForNextTickAsync(ct)) Console.WriteLine($"serve chat: {server.Describe()}");
                }
                else
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
            await server.StopAsync(TimeSpan.FromSeconds(5));
            Console.WriteLine($"serve chat: stopped: {server.Describe()}");
            var config = new System.Text.Json.Nodes.JsonObject
            {
                ["listen"] = listening, ["tls"] = tlsOptions.Describe(), ["clientCert"] = clientCerts.Name(),
                ["pki"] = manifest.Directory, ["maxLine"] = options.Limits.MaxLineBytes,
                    ["maxRoomsPerClient"] = options.Limits.MaxRoomsPerClient,
                ["maxClientsPerRoom"] = options.Limits.MaxClientsPerRoom, ["sendQueue"] = options.SendQueueLines,
                ["handshakeTimeout"] = Durations.Format(options.HandshakeTimeout),
                ["graphite"] = graphiteTo.Describe(),
            };
            var doc = ChatServerResults.Build(server, config, started);
            Console.WriteLine(ResultsFile.Write(doc, p.GetValue(results)!,
                $"server-chat-{ResultsFile.Timestamp(started)}-{Environment.ProcessId}.json"));
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
