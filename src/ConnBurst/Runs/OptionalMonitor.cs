using ConnBurst.Common;
using ConnBurst.Monitor;

namespace ConnBurst.Runs;

/// <summary>
/// A server monitor a run can go without (chat's <c>--monitor</c>): when it cannot be reached the run goes on with a
/// warning, unless it is required; a START or STOP that fails is a warning, because the run's own results come first.
/// </summary>
internal sealed class OptionalMonitor : IAsyncDisposable
{
    private readonly MonitorClient _client;
    private readonly Action<string> _warn;

    /// <summary>Why the monitor is no longer used (said once, when its first command failed), or null while it answers.</summary>
    public string? Gone { get; private set; }

    private OptionalMonitor(MonitorClient client, Action<string> warn)
    {
        _client = client;
        _warn = warn;
    }

    /// <summary>The connected monitor, or null (after a warning) when it is unreachable and not required.</summary>
    public static async Task<OptionalMonitor?> ConnectAsync(HostPort address, string? token, bool required, Action<string> connected,
        Action<string> warn,
        CancellationToken ct)
    {
        try
        {
            var client = await MonitorClient.ConnectAsync(address, token, ct, TimeSpan.FromSeconds(10));
            connected($"monitor {address} connected");
            return new OptionalMonitor(client, warn);
        }
        catch (Exception e) when (e is InputException or MonitorClientException)
        {
            var why = e.Message.StartsWith($"monitor {address}: ", StringComparison.Ordinal) ? e.Message[$"monitor {address}: ".Length..]
                : e.Message;
            var message = Unreachable.Message("server monitor", address, why);
            if (required) throw new InputException(message + " (--require-monitor)");
            warn($"{message} Running without it (use --require-monitor to stop instead).");
            return null;
        }
    }

    public Task StartAsync(string label, CancellationToken ct)
        => CallAsync<object>(async () => { await _client.StartAsync(label, ct); return new object(); }, "START");

    /// <summary>Ends the recording and returns its summary; given 10 s even after Ctrl-C, so the monitor writes its side of what was
    /// measured.</summary>
    public async Task<MonitorSummary?> StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await CallAsync(() => _client.StopAsync(timeout.Token), "STOP");
    }

    private async Task<T?> CallAsync<T>(Func<Task<T>> call, string what) where T : class
    {
        if (Gone is not null) return null; // said once already; the runs go on without it
        try { return await call(); }
        catch (Exception e) when (
            e is MonitorClientException or OperationCanceledException or IOException or System.Net.Sockets.SocketException)
        {
            Gone = $"the monitor {_client.Endpoint} failed at {what}: {e.Message}";
            _warn($"{Gone}; going on without the server's side");
            return null;
        }
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
