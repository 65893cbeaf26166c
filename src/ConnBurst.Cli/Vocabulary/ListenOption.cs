using System.CommandLine;
using System.Net;
using ConnBurst.Common;

namespace ConnBurst.Cli;

/// <summary>
/// A server's <c>--listen HOST:PORT</c> (docs/CLI.md, "Names"), declared and read once for serve mqtt and serve chat: the port
/// may be left out (the server's usual one), and the old <c>--port N</c> (and serve mqtt's <c>--bind ADDR</c>) still set its
/// parts.
/// </summary>
internal sealed class ListenOption
{
    private readonly int _defaultPort;

    public ListenOption(string defaultHost, int defaultPort, string why)
    {
        _defaultPort = defaultPort;
        Option = new Option<string>("--listen")
        {
            Description = $"Address to listen on, HOST:PORT (port 0: any free port, printed at start); {why}",
            DefaultValueFactory = _ => new HostPort(defaultHost, defaultPort).ToString(),
            HelpName = "HOST:PORT",
        };
    }

    public Option<string> Option { get; }

    public void AddTo(Command command, bool oldBind)
    {
        command.Options.Add(Option);
        LegacyNames.AddPart<int>(command, Option, "--port", (port, listen) => (Parse(listen) with { Port = port }).ToString(),
            "--listen HOST:PORT");
        if (oldBind)
        {
            LegacyNames.AddPart<string>(command, Option, "--bind", (host, listen) => (Parse(listen) with { Host = host }).ToString(),
                "--listen HOST:PORT");
        }
    }

    public IPEndPoint Read(ParseResult p)
    {
        var listen = Parse(p.GetValue(Option)!);
        if (!IPAddress.TryParse(listen.Host, out var address))
            throw new InputException($"--listen: '{listen.Host}' is not an IP address");
        return new IPEndPoint(address, listen.Port);
    }

    private HostPort Parse(string text) => HostPort.Parse(text, "--listen", _defaultPort);
}
