using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using ConnBurst.Common;

namespace ConnBurst.Transport;

/// <summary>
/// The local addresses clients bind to before connecting (<c>--source-ips 127.0.0.2-127.0.0.19</c> or
/// <c>a,b,c</c>), handed out round-robin: how the MQTT benchmark's 18 addresses get past the per-address port limit.
/// Validated once at the edge: every address must be configured on this machine (all of 127.0.0.0/8 is).
/// </summary>
internal sealed class SourceAddresses
{
    private readonly IPAddress[] _addresses;

    public IReadOnlyList<IPAddress> All => _addresses;
    public int Count => _addresses.Length;

    private SourceAddresses(IPAddress[] addresses) => _addresses = addresses;

    /// <summary>Client <paramref name="index"/>'s address: round-robin over the list.</summary>
    public IPAddress For(long index) => _addresses[(int)(index % _addresses.Length)];

    /// <summary>The addresses of shard <paramref name="shard"/> of <paramref name="shards"/>: every n-th, or all when there are fewer
    /// addresses than shards.</summary>
    public SourceAddresses Shard(int shard, int shards)
    {
        if (_addresses.Length < shards) return this;
        return new SourceAddresses(_addresses.Where((_, i) => i % shards == shard).ToArray());
    }

    public override string ToString() => _addresses.Length <= 4
        ? string.Join(',', _addresses.Select(a => a.ToString()))
        : $"{_addresses[0]}-{_addresses[^1]} ({_addresses.Length} addresses)";

    /// <summary>Parses ranges and lists; throws <see cref="InputException"/> for malformed or non-local addresses.</summary>
    public static SourceAddresses Parse(string text, string what = "--source-ips")
    {
        var list = new List<IPAddress>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-');
            if (dash < 0) { list.Add(ParseOne(part, what)); continue; }
            var from = ParseOne(part[..dash], what);
            var to = ParseOne(part[(dash + 1)..], what);
            if (from.AddressFamily != AddressFamily.InterNetwork || to.AddressFamily != AddressFamily.InterNetwork)
                throw new InputException($"{what}: ranges are IPv4 only ('{part}')");
            var a = ToUInt(from);
            var b = ToUInt(to);
            if (b < a) throw new InputException($"{what}: range '{part}' ends before it starts");
            if (b - a >= 65_536) throw new InputException($"{what}: range '{part}' has more than 65,536 addresses");
            for (var x = a; x <= b; x++) list.Add(FromUInt(x));
        }
        if (list.Count == 0) throw new InputException($"{what}: no address given");
        var local = LocalAddresses();
        foreach (var ip in list)
        {
            if (!IPAddress.IsLoopback(ip) && !local.Contains(ip))
                throw new InputException($"{what}: {ip} is not an address of this machine (bind would fail)");
        }

        return new SourceAddresses(list.Distinct().ToArray());
    }

    private static IPAddress ParseOne(string s, string what) =>
        IPAddress.TryParse(s.Trim(), out var ip) ? ip : throw new InputException($"{what}: '{s}' is not an IP address");

    private static uint ToUInt(IPAddress ip)
    {
        var b = ip.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    private static IPAddress FromUInt(uint x) => new([(byte)(x >> 24), (byte)(x >> 16), (byte)(x >> 8), (byte)x]);

    private static HashSet<IPAddress> LocalAddresses()
    {
        var set = new HashSet<IPAddress>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            foreach (var u in nic.GetIPProperties().UnicastAddresses) set.Add(u.Address);
        return set;
    }
}
