using System.Globalization;
using System.Net;

namespace ConnBurst.Common;

/// <summary>A <c>HOST:PORT</c> pair as given on the command line; IPv6 literals are written <c>[::1]:8884</c>.</summary>
internal readonly record struct HostPort(string Host, int Port)
{
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public static HostPort Parse(string text, string what = "address", int? defaultPort = null)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new InputException($"{what}: empty address (expected HOST:PORT)");
        var s = text.Trim();
        string host;
        string? port = null;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']');
            if (close < 0) throw new InputException($"{what}: '{text}' has an unclosed '['");
            host = s[1..close];
            if (close + 1 < s.Length)
            {
                if (s[close + 1] != ':') throw new InputException($"{what}: '{text}' is not HOST:PORT");
                port = s[(close + 2)..];
            }
        }
        else
        {
            var colon = s.LastIndexOf(':');
            if (colon >= 0 && s.IndexOf(':') == colon) { host = s[..colon]; port = s[(colon + 1)..]; }
            else
            {
                host = s;
            }
        }
        if (host.Length == 0) throw new InputException($"{what}: '{text}' has no host");
        int p;
        if (port is null)
        {
            if (defaultPort is null) throw new InputException($"{what}: '{text}' has no port (expected HOST:PORT)");
            p = defaultPort.Value;
        }
        else if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out p) || p is < 0 or > 65535)
        {
            throw new InputException($"{what}: '{port}' is not a port number (0-65535)");
        }

        return new HostPort(host, p);
    }

    /// <summary>Resolves the host to one address, preferring IPv4; names resolve through DNS once, at the edge.</summary>
    public IPEndPoint Resolve(string what = "address")
    {
        if (IPAddress.TryParse(Host, out var ip)) return new IPEndPoint(ip, Port);
        try
        {
            var all = Dns.GetHostAddresses(Host);
            var pick = all.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? all.FirstOrDefault();
            if (pick is null) throw new InputException($"{what}: '{Host}' resolves to no address");
            return new IPEndPoint(pick, Port);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new InputException($"{what}: cannot resolve '{Host}': {e.Message}");
        }
    }
}
