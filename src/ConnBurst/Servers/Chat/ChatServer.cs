using System.Net;
using System.Text.Json.Nodes;
using ConnBurst.Tls;
using ConnBurst.Transport;
using ConnBurst.Servers.Hosting;

namespace ConnBurst.Servers.Chat;

/// <summary>
/// The reference chat server: the shared TLS host (Transport/) carrying one <see cref="ChatSession"/> per connection,
/// rooms shared by all of them, and counters. Every line a connection receives (its own replies and every broadcast)
/// goes through its bounded <see cref="ChatOutbox"/>, so replies and broadcasts keep their order.
/// </summary>
internal sealed class ChatServer : IAsyncDisposable
{
    private readonly ChatServerOptions _options;
    private readonly TlsServerHost _host;

    public ChatServer(ChatServerOptions options, TlsServerFactory tls, Action<string>? log = null)
    {
        _options = options.Validate();
        Rooms = new ChatRooms(options.Limits);
        _host = new TlsServerHost(new TlsServerHostOptions { EndPoint = options.EndPoint, HandshakeTimeout = options.HandshakeTimeout },
            tls, CreateSession, log);
    }

    public ChatRooms Rooms { get; }
    public ChatServerCounters Counters { get; } = new();
    public TransportCounters Transport => _host.Counters;
    public IPEndPoint? LocalEndPoint => _host.LocalEndPoint;

    public void Start() => _host.Start();

    public Task StopAsync(TimeSpan timeout) => _host.StopAsync(timeout);

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private ChatSession CreateSession(ServerConnection connection)
    {
        Counters.SessionOpened(connection.Tls!.Protocol);
        ChatSession? session = null;
        var outbox = new ChatOutbox(_options.SendQueueLines, _options.SendQueueBytes,
            line => connection.SendAsync(line),
            ok =>
            {
                if (ok) session?.CloseIfFlushed();
                else connection.Abort("write-failed");
            });
        session = new ChatSession(connection.Id, Rooms, Counters, outbox, reason => connection.Abort(reason));
        return session;
    }

    /// <summary>One line of counters: the transport's (accepted, handshakes by outcome) and chat's (by protocol, rooms,
    /// messages).</summary>
    public string Describe()
    {
        var failed = string.Join(' ', Transport.FailedByReason().Where(kv => kv.Value > 0).Select(kv => $"{kv.Key}={kv.Value}"));
        return $"accepted={Transport.Accepted}" + (Transport.AcceptsFailed > 0 ? $" accepts-failed={Transport.AcceptsFailed}" : "")
            + $" handshakes-ok={Transport.HandshakesOk}"
            + (failed.Length > 0 ? $" handshake-failed: {failed}" : "") +
               $" | {Counters.Describe(Rooms.RoomCount)}";
    }

    /// <summary>
    /// The counters as Graphite metric names and values (<c>serve chat --graphite</c>; the server-stats dashboard reads
    /// these names): totals since start, except the gauges <c>current</c> and <c>rooms</c>. Every handshake-failure
    /// reason and chat error is sent, zeros included, so a dashboard's series exist before the first one.
    /// </summary>
    public IEnumerable<KeyValuePair<string, double>> GraphiteMetrics()
    {
        var failed = Transport.FailedByReason();
        yield return new("current", Counters.Current);
        yield return new("accepted", Transport.Accepted);
        yield return new("acceptsFailed", Transport.AcceptsFailed);
        yield return new("handshakesOk", Transport.HandshakesOk);
        yield return new("handshakesFailedTotal", failed.Values.Sum());
        foreach (var (reason, n) in failed) yield return new("handshakesFailed." + reason, n);
        yield return new("sessions", Counters.Sessions);
        yield return new("tls12", Counters.Tls12);
        yield return new("tls13", Counters.Tls13);
        yield return new("rooms", Rooms.RoomCount);
        yield return new("joins", Counters.Joins);
        yield return new("quits", Counters.Quits);
        yield return new("messagesIn", Counters.MessagesIn);
        yield return new("messagesOut", Counters.MessagesOut);
        yield return new("slowReadersDropped", Counters.SlowReadersDropped);
        foreach (var e in ConnBurst.Chat.ChatErrors.All)
            yield return new("errors." + ConnBurst.Chat.ChatErrors.Token(e), Counters.Errors(e));
    }

    /// <summary>The counters as JSON, for a results section or a test.</summary>
    public JsonObject ToJson()
    {
        var failed = new JsonObject();
        foreach (var (k, v) in Transport.FailedByReason()) failed[k] = v;
        var errors = new JsonObject();
        foreach (var e in ConnBurst.Chat.ChatErrors.All) errors[ConnBurst.Chat.ChatErrors.Token(e)] = Counters.Errors(e);
        return new JsonObject
        {
            ["accepted"] = Transport.Accepted, ["acceptsFailed"] = Transport.AcceptsFailed, ["handshakesOk"] = Transport.HandshakesOk,
            ["handshakesFailed"] = failed,
            ["sessions"] = Counters.Sessions, ["current"] = Counters.Current, ["tls12"] = Counters.Tls12, ["tls13"] = Counters.Tls13,
            ["rooms"] = Rooms.RoomCount, ["joins"] = Counters.Joins, ["messagesIn"] = Counters.MessagesIn,
                ["messagesOut"] = Counters.MessagesOut,
            ["slowReadersDropped"] = Counters.SlowReadersDropped, ["quits"] = Counters.Quits, ["errors"] = errors,
        };
    }
}
