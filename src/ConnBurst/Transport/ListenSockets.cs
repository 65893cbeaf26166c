using System.Net;
using System.Net.Sockets;
using ConnBurst.Common;

namespace ConnBurst.Transport;

/// <summary>Listening sockets with the options a connection-load server needs, each mapping tested (STYLE.md's MQTTnet lesson).</summary>
internal static class ListenSockets
{
    private const int SolSocket = 1;      // SOL_SOCKET on Linux
    private const int SoReusePort = 15;   // SO_REUSEPORT on Linux

    /// <param name="reusePort">SO_REUSEPORT: several processes (workers) listen on one port and the kernel spreads connects.</param>
    public static Socket Listen(IPEndPoint endPoint, int backlog, bool reusePort)
    {
        var s = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // .NET already sets SO_REUSEADDR on Unix listeners (restarts work across TIME_WAIT). Not SocketOptionName.ReuseAddress:
            // on Linux .NET maps that to SO_REUSEPORT, which would let a
            // second server silently share a port that was meant to be exclusive (a test checks this mapping).
            if (reusePort) SetReusePort(s);
            // Accepted sockets inherit TCP_NODELAY on Linux; set it here and again per accept to be explicit.
            s.NoDelay = true;
            s.Bind(endPoint);
            s.Listen(backlog);
            return s;
        }
        catch (SocketException e)
        {
            s.Dispose();
            throw new InputException($"cannot listen on {endPoint}: {e.Message}");
        }
    }

    public static void SetReusePort(Socket s)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("SO_REUSEPORT workers need Linux");
        s.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
    }

    public static bool GetReusePort(Socket s)
    {
        var value = new byte[4];
        s.GetRawSocketOption(SolSocket, SoReusePort, value);
        return BitConverter.ToInt32(value) != 0;
    }
}
