using System.Net;
using System.Net.Sockets;

namespace ConnBurst.Transport;

/// <summary>
/// Client sockets as a load generator wants them: TCP_NODELAY, optionally bound to a source address first, with the
/// port chosen at connect time (IP_BIND_ADDRESS_NO_PORT) so that one address can reach ~28K ports per destination
/// instead of ~28K in total.
/// </summary>
internal static class ClientSockets
{
    // Linux <netinet/in.h>: IP_BIND_ADDRESS_NO_PORT = 24 (since 4.2). Not in .NET's SocketOptionName enum.
    private const int IpBindAddressNoPort = 24;

    public static Socket Create(IPEndPoint target, IPAddress? source)
    {
        var s = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (source is not null)
        {
            try
            {
                if (source.AddressFamily == AddressFamily.InterNetwork)
                    s.SetRawSocketOption((int)SocketOptionLevel.IP, IpBindAddressNoPort, BitConverter.GetBytes(1));
                s.Bind(new IPEndPoint(source, 0));
            }
            catch
            {
                s.Dispose();
                throw;
            }
        }
        return s;
    }
}
