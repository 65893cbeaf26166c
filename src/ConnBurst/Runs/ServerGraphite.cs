using ConnBurst.Common;
using ConnBurst.Export;
using ConnBurst.Monitor;

namespace ConnBurst.Runs;

/// <summary>
/// <c>serve mqtt|chat --graphite HOST:2003</c>: the server's own counters (the seed's "MessageSight stats") sent every
/// interval through the one Graphite exporter as <c>[ROOT.]connburst.server.HOST.PROTOCOL.NAME</c>. Counters go out
/// as running totals (Graphite's <c>perSecond()</c> makes rates of them; a total survives a lost point) and gauges as
/// they stand. The server's hot path never sees this: a timer reads a snapshot.
/// </summary>
internal sealed class ServerGraphite : IAsyncDisposable
{
    private readonly GraphitePlaintextExporter _exporter;
    private readonly Func<IEnumerable<KeyValuePair<string, double>>> _metrics;
    private readonly string _prefix;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ServerGraphite(GraphitePlaintextExporter exporter, string prefix, Func<IEnumerable<KeyValuePair<string, double>>> metrics,
        TimeSpan interval)
    {
        _exporter = exporter;
        _prefix = prefix;
        _metrics = metrics;
        _loop = Task.Run(() => SendLoopAsync(interval));
    }

    /// <summary>The dotted path every metric starts with (without the trailing dot).</summary>
    public string Prefix => _prefix.TrimEnd('.');

    public GraphitePlaintextExporter Exporter => _exporter;

    /// <summary>The metric prefix for a protocol: <c>[ROOT.]connburst.server.HOST.PROTOCOL.</c>; a bad root is bad input.</summary>
    public static string PrefixFor(string? root, string protocol)
    {
        if (root is not null && (root.Length == 0 || root.Any(char.IsWhiteSpace) || root.StartsWith('.') || root.EndsWith('.')))
            throw new InputException($"--graphite-root: '{root}' is not a dotted metric path");
        return $"{(root is null ? "" : root + ".")}connburst.server.{SystemSampler.MetricName(Environment.MachineName)}.{protocol}.";
    }

    /// <summary>Starts sending when <paramref name="endpoint"/> is given (<c>--graphite</c>), else returns null.</summary>
    public static ServerGraphite? StartIfGiven(string? endpoint, string? root, string protocol, TimeSpan interval,
        Func<IEnumerable<KeyValuePair<string, double>>> metrics)
    {
        var prefix = PrefixFor(root, protocol);
        if (endpoint is null) return null;
        if (interval < TimeSpan.FromMilliseconds(100))
            throw new InputException($"--graphite-interval: {Durations.Format(interval)} is too short (at least 100ms)");
        return new ServerGraphite(new GraphitePlaintextExporter(HostPort.Parse(endpoint, "--graphite", 2003)), prefix, metrics, interval);
    }

    private async Task SendLoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token)) Send();
        }
        catch (OperationCanceledException) { /* disposed: the final send follows */ }
    }

    private void Send()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _exporter.Enqueue(_metrics().Select(kv => new KeyValuePair<string, double>(_prefix + kv.Key, kv.Value)), now);
    }

    /// <summary>Sends the last counters (so a run's totals reach Graphite), then drains and closes the exporter.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
        Send();
        await _exporter.DisposeAsync();
        _stop.Dispose();
    }
}
