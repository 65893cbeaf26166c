using System.Net;
using System.Net.Sockets;

namespace ConnBurst.Tests.Infrastructure;

/// <summary>A free loopback TCP port, found by binding port 0 and reading it back.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
