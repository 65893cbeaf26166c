using System.CommandLine;
using ConnBurst.Common;
using ConnBurst.Runs;

namespace ConnBurst.Cli.Commands;

/// <summary>
/// <c>--graphite</c>, <c>--graphite-root</c> and <c>--graphite-interval</c> of <c>serve mqtt</c> and <c>serve chat</c>:
/// declared, checked and described once for both servers.
/// </summary>
internal sealed class ServerGraphiteOptions
{
    private readonly string _protocol;
    private readonly Option<string?> _endpoint = new("--graphite") { Description =
        "Send the counters to Graphite's plaintext port HOST:PORT (usually 2003) every --graphite-interval" };
    private readonly Option<string?> _root;
    private readonly DurationOption _interval = new("--graphite-interval") { Description = "How often the counters go to Graphite",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(1) };

    public ServerGraphiteOptions(string protocol)
    {
        _protocol = protocol;
        _root = new Option<string?>("--graphite-root") { Description =
            $"Graphite metric root: metrics are [ROOT.]connburst.server.HOST.{protocol}.NAME" };
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_endpoint);
        command.Options.Add(_root);
        command.Options.Add(_interval);
    }

    /// <summary>The settings given, checked before any socket exists (a bad root or interval is bad input).</summary>
    public ServerGraphiteSettings Read(ParseResult p)
    {
        var every = p.GetValue(_interval);
        ServerGraphite.PrefixFor(p.GetValue(_root), _protocol);
        var endpoint = p.GetValue(_endpoint) is { } e ? HostPort.Parse(e, "--graphite", 2003) : (HostPort?)null;
        return new ServerGraphiteSettings(endpoint, p.GetValue(_root), _protocol, every);
    }
}

/// <summary>What <see cref="ServerGraphiteOptions"/> read: where the server's counters go, if anywhere.</summary>
internal sealed record ServerGraphiteSettings(HostPort? Endpoint, string? Root, string Protocol, TimeSpan Every)
{
    /// <summary>Starts sending when <c>--graphite</c> was given (saying so on <paramref name="say"/>), else returns null.</summary>
    public ServerGraphite? Start(Func<IEnumerable<KeyValuePair<string, double>>> metrics, Action<string> say)
    {
        var g = ServerGraphite.StartIfGiven(Endpoint?.ToString(), Root, Protocol, Every, metrics);
        if (g is not null) say($"graphite {Describe()}");
        return g;
    }

    /// <summary>The results' <c>config.graphite</c>: "HOST:PORT as PREFIX.* every INTERVAL", or null when not sending.</summary>
    public string? Describe() =>
        Endpoint is { } e ? $"{e} as {ServerGraphite.PrefixFor(Root, Protocol)}* every {Durations.Format(Every)}" : null;
}
