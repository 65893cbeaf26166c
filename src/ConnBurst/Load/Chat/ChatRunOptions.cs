using System.Net.Security;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using ConnBurst.Common;

namespace ConnBurst.Load.Chat;

/// <summary>
/// One chat load run: the chat benchmark's <c>SERVER_IP PORT tls12|tls13 CLIENTS MESSAGES DURATION</c> plus options.
/// Immutable, validated once by <see cref="Validate"/> at the command line's edge.
/// </summary>
internal sealed record ChatRunOptions
{
    public required HostPort Server { get; init; }
    /// <summary>Tls12 or Tls13: exactly one version, as the chat benchmark's tls12/tls13 argument says.</summary>
    public required SslProtocols Protocol { get; init; }
    public required int Clients { get; init; }
    public required int MessagesPerClient { get; init; }
    /// <summary>The window the messages are spread over.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Built once by the caller (Tls/TlsClientFactory) and shared by every connection.</summary>
    public required SslClientAuthenticationOptions Tls { get; init; }
    /// <summary>How the server is trusted, for the print-out: "pki DIR", "ca FILE" or "insecure".</summary>
    public string Trust { get; init; } = "";

    public string Room { get; init; } = "bench";
    public int Rooms { get; init; } = 1;
    /// <summary>Bytes of message text (at least the stamp's length).</summary>
    public int MessageSize { get; init; } = 64;
    /// <summary>Aggregate messages per second over all clients; null spreads each client's messages evenly over Duration.</summary>
    public double? Rate { get; init; }

    public HostPort? Monitor { get; init; }
    /// <summary>The monitor's AUTH token; null: CONNBURST_MONITOR_TOKEN. Never written into results.</summary>
    public string? MonitorToken { get; init; }
    public bool RequireMonitor { get; init; }
    public string ResultsDir { get; init; } = "results";

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long to wait after the last send for the last broadcasts to arrive.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public string ProtocolArg => Protocol == SslProtocols.Tls13 ? "tls13" : "tls12";

    public string RoomOf(int client) => Rooms == 1 ? Room : $"{Room}-{client % Rooms}";

    public static SslProtocols ParseProtocol(string text) => text.Trim().ToLowerInvariant() switch
    {
        "tls13" or "1.3" => SslProtocols.Tls13,
        "tls12" or "1.2" => SslProtocols.Tls12,
        _ => throw new InputException($"TLS version '{text}' is not tls12 or tls13"),
    };

    public ChatRunOptions Validate()
    {
        if (Clients is < 1 or > 18_000)
            throw new InputException($"CLIENTS {Clients} is out of range (1-18000: one process holds at most ~18,000 sockets)");
        if (MessagesPerClient is < 0 or > 1_000_000) throw new InputException($"MESSAGES {MessagesPerClient} is out of range (0-1000000)");
        if (Duration <= TimeSpan.Zero || Duration > TimeSpan.FromHours(24))
            throw new InputException($"DURATION {Durations.Format(Duration)} is out of range (above 0, at most 24h)");
        if (Rooms < 1 || Rooms > Clients) throw new InputException($"--rooms {Rooms} is out of range (1 to CLIENTS)");
        if (!ConnBurst.Chat.ChatParser.IsName(System.Text.Encoding.UTF8.GetBytes(RoomOf(Rooms - 1))))
            throw new InputException($"--room '{Room}' is not a room name (1-60 of A-Z a-z 0-9 _ - . #)");
        if (MessageSize is < 1 or > 4000)
            throw new InputException($"--message-size {MessageSize} is out of range (1-4000 bytes; the server's line limit is 4 KiB)");
        if (Rate is { } r && (r <= 0 || double.IsNaN(r) || r > 1_000_000))
            throw new InputException($"--rate {r} is out of range (above 0, at most 1000000/s)");
        if (Server.Port is < 1 or > 65535) throw new InputException($"PORT {Server.Port} is out of range (1-65535)");
        return this;
    }

    /// <summary>The effective configuration, printed at the start and embedded in the results.</summary>
    public JsonObject Describe() => new()
    {
        ["server"] = Server.ToString(),
        ["tls"] = ProtocolArg,
        ["clients"] = Clients,
        ["messagesPerClient"] = MessagesPerClient,
        ["duration"] = Durations.Format(Duration),
        ["room"] = Room,
        ["rooms"] = Rooms,
        ["messageSize"] = MessageSize,
        ["rate"] = Rate,
        ["trust"] = Trust,
        ["clientCertificate"] = Tls.ClientCertificateContext is not null,
        ["monitor"] = Monitor?.ToString(),
        ["requireMonitor"] = RequireMonitor,
        ["connectTimeout"] = Durations.Format(ConnectTimeout),
        ["handshakeTimeout"] = Durations.Format(HandshakeTimeout),
        ["drainTimeout"] = Durations.Format(DrainTimeout),
        ["warmUpConnections"] = 1, // one unmeasured TCP+TLS connection before the measured ones
        ["results"] = Path.GetFullPath(ResultsDir),
    };
}
