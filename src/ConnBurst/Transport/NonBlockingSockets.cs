using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using ConnBurst.Interop;

namespace ConnBurst.Transport;

/// <summary>
/// Client sockets as bare descriptors for an event loop that owns them end to end: non-blocking from creation,
/// TCP_NODELAY, optionally bound to a source address with the port chosen at connect time (as <see cref="ClientSockets"/>
/// does for .NET sockets), and the connect started, not awaited. Errors are values: a <see cref="SocketError"/>, never
/// an exception.
/// </summary>
internal static unsafe class NonBlockingSockets
{
    private const int SockStream = 1, SockNonBlock = 0x800, SockCloexec = 0x80000;
    private const int SolSocket = 1, SoError = 4, IpProtoTcp = 6, TcpNoDelay = 1, IpProtoIp = 0, IpBindAddressNoPort = 24;
    private const int EInProgress = 115, EAgain = 11, MsgPeek = 0x2, MsgDontWait = 0x40;

    /// <summary>Opens a socket and starts its connect to <paramref name="target"/>; the descriptor, or -1 with <paramref name="error"/>
    /// set.</summary>
    public static int StartConnect(IPEndPoint target, IPAddress? source, out SocketError error)
    {
        var family = target.AddressFamily == AddressFamily.InterNetworkV6 ? 10 : 2;
        var fd = LibC.Socket(family, SockStream | SockNonBlock | SockCloexec, 0);
        if (fd < 0)
        {
            error = Errno.ToSocketError(Marshal.GetLastPInvokeError());
            return -1;
        }
        int one = 1;
        LibC.SetSockOpt(fd, IpProtoTcp, TcpNoDelay, (byte*)&one, 4);
        var address = stackalloc byte[28];
        if (source is not null)
        {
            if (source.AddressFamily == AddressFamily.InterNetwork) LibC.SetSockOpt(fd, IpProtoIp, IpBindAddressNoPort, (byte*)&one, 4);
            var length = Write(new IPEndPoint(source, 0), address);
            if (LibC.Bind(fd, address, length) != 0) return Fail(fd, out error);
        }
        var targetLength = Write(target, address);
        if (LibC.Connect(fd, address, targetLength) != 0 && Marshal.GetLastPInvokeError() != EInProgress) return Fail(fd, out error);
        error = SocketError.Success;
        return fd;
    }

    /// <summary>Once the socket is writable after <see cref="StartConnect"/>: how its connect ended (SO_ERROR).</summary>
    public static SocketError ConnectResult(int fd)
    {
        int value = 0;
        uint length = 4;
        if (LibC.GetSockOpt(fd, SolSocket, SoError, (byte*)&value, &length) != 0) return Errno.ToSocketError(Marshal.GetLastPInvokeError());
        return value == 0 ? SocketError.Success : Errno.ToSocketError(value);
    }

    /// <summary>
    /// True when a read would not wait: bytes, end of stream or an error are there (MSG_PEEK, nothing taken). An idle
    /// connection's owner asks this before it lets libssl read, because libssl allocates its 16 KiB read buffer before
    /// it reads and keeps it when the read finds nothing.
    /// </summary>
    public static bool HasData(int fd)
    {
        byte b;
        var n = LibC.Recv(fd, &b, 1, MsgPeek | MsgDontWait);
        return n != -1 || Marshal.GetLastPInvokeError() != EAgain;
    }

    public static void Close(int fd)
    {
        if (fd >= 0) LibC.Close(fd);
    }

    private static int Fail(int fd, out SocketError error)
    {
        error = Errno.ToSocketError(Marshal.GetLastPInvokeError());
        LibC.Close(fd);
        return -1;
    }

    /// <summary>A sockaddr_in or sockaddr_in6 for <paramref name="ep"/> into <paramref name="buffer"/> (28 bytes); its length.</summary>
    private static uint Write(IPEndPoint ep, byte* buffer)
    {
        new Span<byte>(buffer, 28).Clear();
        var port = (ushort)ep.Port;
        if (ep.AddressFamily == AddressFamily.InterNetworkV6)
        {
            *(ushort*)buffer = 10;
            buffer[2] = (byte)(port >> 8);
            buffer[3] = (byte)port;
            ep.Address.TryWriteBytes(new Span<byte>(buffer + 8, 16), out _);
            *(uint*)(buffer + 24) = (uint)ep.Address.ScopeId;
            return 28;
        }
        *(ushort*)buffer = 2;
        buffer[2] = (byte)(port >> 8);
        buffer[3] = (byte)port;
        ep.Address.TryWriteBytes(new Span<byte>(buffer + 4, 4), out _);
        return 16;
    }
}

/// <summary>Linux errno values as .NET's <see cref="SocketError"/> (whose numbers are Winsock's), for failures read from libc or
/// libssl.</summary>
internal static class Errno
{
    public static SocketError ToSocketError(int errno) => errno switch
    {
        104 => SocketError.ConnectionReset,      // ECONNRESET
        32 => SocketError.Shutdown,              // EPIPE
        103 => SocketError.ConnectionAborted,    // ECONNABORTED
        110 => SocketError.TimedOut,             // ETIMEDOUT
        111 => SocketError.ConnectionRefused,    // ECONNREFUSED
        113 => SocketError.HostUnreachable,      // EHOSTUNREACH
        101 => SocketError.NetworkUnreachable,   // ENETUNREACH
        99 => SocketError.AddressNotAvailable,   // EADDRNOTAVAIL
        98 => SocketError.AddressAlreadyInUse,   // EADDRINUSE
        24 or 23 => SocketError.TooManyOpenSockets, // EMFILE, ENFILE
        105 => SocketError.NoBufferSpaceAvailable, // ENOBUFS
        _ => SocketError.SocketError,
    };
}
