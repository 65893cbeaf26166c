using System.Net.Sockets;
using System.Text;
using ConnBurst.Common;

namespace ConnBurst.Monitor;

/// <summary>
/// The tester's side of the monitor's control protocol (docs/monitor-protocol.md): connect, AUTH, START a
/// labelled recording, STOP it, fetch its SUMMARY. One connection, one command at a time; every call has a
/// timeout. Used by <c>chat --monitor</c>, <c>burst --monitor</c> and <c>peak</c>.
/// <code>
/// await using var monitor = await MonitorClient.ConnectAsync(HostPort.Parse("127.0.0.1:8888"), token: null, ct);
/// await monitor.StartAsync("burst-500rps", ct);
/// ... load ...
/// MonitorSummary server = await monitor.StopAsync(ct);   // STOP, then SUMMARY
/// results.Sections["server"] = server.ToJsonNode();
/// </code>
/// Failures: an unreachable monitor throws <see cref="InputException"/> (it was named on the command line);
/// a refused command (ERR reply), a closed connection or a timeout throws <see cref="MonitorClientException"/>.
/// </summary>
internal sealed class MonitorClient : IAsyncDisposable, IDisposable
{
    /// <summary>The environment variable the monitor and its clients read the shared secret from when no token is given.</summary>
    public const string TokenVariable = "CONNBURST_MONITOR_TOKEN";

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;
    private readonly TimeSpan _timeout;

    private MonitorClient(TcpClient tcp, TimeSpan timeout)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new StreamReader(_stream, new UTF8Encoding(false), false, 4096, leaveOpen: true);
        _timeout = timeout;
    }

    public HostPort Endpoint { get; private init; }

    /// <summary>
    /// Connects and, when a token is given (or set in CONNBURST_MONITOR_TOKEN), authenticates.
    /// <paramref name="timeout"/> bounds the connect and every later command (default 30 s: STOP waits while the monitor writes its chart).
    /// </summary>
    public static async Task<MonitorClient> ConnectAsync(HostPort endpoint, string? token = null, CancellationToken ct = default,
        TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        token ??= Environment.GetEnvironmentVariable(TokenVariable);
        var ep = endpoint.Resolve("monitor");
        var tcp = new TcpClient(ep.AddressFamily) { NoDelay = true };
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(limit);
            await tcp.ConnectAsync(ep, cts.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            tcp.Dispose();
            var why = e is SocketException s ? s.SocketErrorCode.ToString() : $"no answer within {Durations.Format(limit)}";
            throw new InputException($"monitor {endpoint}: cannot connect ({why}): check that 'connburst monitor --listen' runs on {ep}, " +
                                     "that no firewall (nft/iptables on the monitor's host or between) drops this host's addresses, " +
                                     "and that this host reaches it (same network, or a route)");
        }
        var client = new MonitorClient(tcp, limit) { Endpoint = endpoint };
        try
        {
            if (!string.IsNullOrEmpty(token)) await client.CommandAsync("AUTH " + token, ct);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Begins a recording; the label names it in the monitor's files (spaces allowed, one line).</summary>
    /// <summary>
    /// False once the monitor has closed the control connection (it died, or was stopped): a zero-cost check of the
    /// socket, made between commands only, when no reply is pending.
    /// </summary>
    public bool StillThere()
    {
        try
        {
            var s = _tcp.Client;
            return !(s.Poll(0, System.Net.Sockets.SelectMode.SelectRead) && s.Available == 0);
        }
        catch (Exception e) when (e is ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    public async Task StartAsync(string? label, CancellationToken ct = default)
    {
        var clean = (label ?? "").ReplaceLineEndings(" ").Trim();
        await CommandAsync(clean.Length == 0 ? "START" : "START " + clean, ct);
    }

    /// <summary>Ends the recording (the monitor writes its files) and returns its summary.</summary>
    public async Task<MonitorSummary> StopAsync(CancellationToken ct = default)
    {
        await CommandAsync("STOP", ct);
        return await SummaryAsync(ct);
    }

    /// <summary>The last finished recording's summary.</summary>
    public async Task<MonitorSummary> SummaryAsync(CancellationToken ct = default)
    {
        var line = await SendAsync("SUMMARY", ct);
        if (!line.StartsWith('{')) throw new MonitorClientException($"monitor {Endpoint}: SUMMARY refused: {line}");
        try { return MonitorSummary.Parse(line); }
        catch (System.Text.Json.JsonException e)
        {
            throw new MonitorClientException($"monitor {Endpoint}: malformed SUMMARY: {e.Message}");
        }
    }

    /// <summary>The STATUS reply after "OK ", e.g. <c>idle</c> or <c>recording label=x seconds=3.0 samples=3</c>.</summary>
    public async Task<string> StatusAsync(CancellationToken ct = default) => await CommandAsync("STATUS", ct);

    /// <summary>Sends a command that must be answered "OK ..."; returns the text after "OK".</summary>
    public async Task<string> CommandAsync(string line, CancellationToken ct = default)
    {
        var reply = await SendAsync(line, ct);
        if (reply == "OK") return "";
        if (reply.StartsWith("OK ", StringComparison.Ordinal)) return reply[3..];
        var verb = line.Split(' ', 2)[0];
        throw new MonitorClientException($"monitor {Endpoint}: {verb} refused: {reply}");
    }

    /// <summary>Sends one line and returns the one-line reply, whatever it is.</summary>
    public async Task<string> SendAsync(string line, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_timeout);
        try
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cts.Token);
            var reply = await _reader.ReadLineAsync(cts.Token);
            return reply ?? throw new MonitorClientException($"monitor {Endpoint}: connection closed");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new MonitorClientException(
                $"monitor {Endpoint}: no reply to {line.Split(' ', 2)[0]} within {Durations.Format(_timeout)}");
        }
        catch (IOException e)
        {
            throw new MonitorClientException($"monitor {Endpoint}: {e.Message}");
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
        _tcp.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            if (_tcp.Connected) await _stream.WriteAsync("QUIT\n"u8.ToArray(), cts.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException) { }
        Dispose();
    }
}

/// <summary>The monitor refused a command, closed the connection, or did not answer in time.</summary>
internal sealed class MonitorClientException(string message) : Exception(message);
