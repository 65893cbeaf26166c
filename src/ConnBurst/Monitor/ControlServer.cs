using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace ConnBurst.Monitor;

/// <summary>
/// The monitor's line protocol on TCP (docs/monitor-protocol.md). Each connection sends one command per line
/// and gets exactly one reply line back, "OK ...", "ERR ..." or (SUMMARY) a JSON object. Nothing a client sends
/// can stop the monitor: malformed, oversized or unauthenticated lines get ERR, and a broken connection only
/// ends its own session.
/// </summary>
internal sealed class ControlServer : IAsyncDisposable
{
    public const int MaxLineBytes = 1024;
    public const int MaxConnections = 32;
    private const int MaxAuthFailures = 3;

    private readonly MonitorService _service;
    private readonly byte[]? _token;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _sessions = new();
    private Task? _acceptLoop;
    private int _connections;

    public ControlServer(MonitorService service, IPEndPoint endpoint, string? token)
    {
        _service = service;
        _token = token is null ? null : Encoding.UTF8.GetBytes(token);
        _listener = new TcpListener(endpoint);
    }

    /// <summary>The bound address (the real port when the monitor was asked for port 0).</summary>
    public IPEndPoint LocalEndpoint => (IPEndPoint)_listener.LocalEndpoint;

    public void Start()
    {
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start(16);
        _acceptLoop = AcceptLoopAsync(_stop.Token);
    }

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await _listener.AcceptSocketAsync(ct); }
            catch (OperationCanceledException) { break; }
            catch (ObjectDisposedException) { break; }
            catch (SocketException) { continue; }
            var session = SessionAsync(socket, ct);
            lock (_sessions)
            {
                _sessions.RemoveAll(t => t.IsCompleted);
                _sessions.Add(session);
            }
        }
    }

    private async Task SessionAsync(Socket socket, CancellationToken ct)
    {
        await Task.Yield();
        var authenticated = _token is null;
        var authFailures = 0;
        using var _ = socket;
        using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            if (Interlocked.Increment(ref _connections) > MaxConnections)
            {
                await WriteLineAsync(stream, $"ERR too many connections (at most {MaxConnections})", ct);
                return;
            }
            var buffer = new byte[4096];
            var line = new MemoryStream();
            var discarding = false;
            while (!ct.IsCancellationRequested)
            {
                var n = await stream.ReadAsync(buffer, ct);
                if (n == 0) return;
                var span = buffer.AsMemory(0, n);
                while (span.Length > 0)
                {
                    var nl = span.Span.IndexOf((byte)'\n');
                    var chunk = nl < 0 ? span : span[..nl];
                    if (!discarding)
                    {
                        if (line.Length + chunk.Length > MaxLineBytes)
                        {
                            discarding = true;
                            line.SetLength(0);
                            await WriteLineAsync(stream, $"ERR line too long (at most {MaxLineBytes} bytes)", ct);
                        }
                        else
                        {
                            line.Write(chunk.Span);
                        }
                    }
                    if (nl < 0) break;
                    span = span[(nl + 1)..];
                    if (discarding) { discarding = false; continue; }
                    var text = Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length).TrimEnd('\r');
                    line.SetLength(0);
                    var (reply, close) = await HandleAsync(text, ref authenticated, ref authFailures);
                    await WriteLineAsync(stream, reply, ct);
                    if (close) return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A client that vanished ends only its own session.
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
        }
    }

    private ValueTask<(string Reply, bool Close)> HandleAsync(string line, ref bool authenticated, ref int authFailures)
    {
        var command = ControlCommand.Parse(line);
        switch (command.Verb)
        {
            case ControlVerb.Empty: return new(("ERR empty line (commands: " + ControlCommand.Help + ")", false));
            case ControlVerb.Unknown: return new(($"ERR unknown command '{Truncate(command.Word)}' (commands: {ControlCommand.Help})",
                false));
            case ControlVerb.Quit: return new(("OK bye", true));
            case ControlVerb.Help: return new(("OK commands: " + ControlCommand.Help, false));
            case ControlVerb.Ping: return new(("OK pong", false));
            case ControlVerb.Auth:
                if (_token is null) { authenticated = true; return new(("OK no token required", false)); }
                if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(command.Argument), _token))
                {
                    authenticated = true;
                    return new(("OK authenticated", false));
                }
                authFailures++;
                return new(("ERR authentication failed" + (authFailures >= MaxAuthFailures ? "; closing" : ""),
                    authFailures >= MaxAuthFailures));
        }
        if (!authenticated) return new(("ERR authentication required: send AUTH <token> first", false));
        return command.Verb switch
        {
            ControlVerb.Start => new((_service.Start(command.Argument), false)),
            ControlVerb.Status => new((_service.Status(), false)),
            ControlVerb.Summary => new((_service.Summary(), false)),
            ControlVerb.Stop => StopAsync(),
            ControlVerb.Join => new((_service.Join(command.Argument), false)),
            ControlVerb.Leave => LeaveAsync(),
            ControlVerb.Samples => new((_service.Samples(), false)),
            _ => new(("ERR unknown command", false)),
        };
    }

    private async ValueTask<(string, bool)> StopAsync() => (await _service.StopAsync(), false);
    private async ValueTask<(string, bool)> LeaveAsync() => (await _service.LeaveAsync(), false);

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "..." : s;

    private static async Task WriteLineAsync(NetworkStream stream, string reply, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        await stream.WriteAsync(Encoding.UTF8.GetBytes(reply.ReplaceLineEndings(" ") + "\n"), cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        Task[] all;
        lock (_sessions) all = [.. _sessions, .. _acceptLoop is null ? [] : new[] { _acceptLoop }];
        try { await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(5)); }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException or SocketException) { }
        _stop.Dispose();
    }
}
