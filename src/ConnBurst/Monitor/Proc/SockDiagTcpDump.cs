using System.Buffers.Binary;
using System.Runtime.InteropServices;

using ConnBurst.Interop;

namespace ConnBurst.Monitor.Proc;

/// <summary>
/// The TCP sockets on one port from the kernel's NETLINK_SOCK_DIAG interface (linux/inet_diag.h, what `ss` uses):
/// one dump request per address family, answered with one <c>inet_diag_msg</c> per socket. A kernel-side bytecode
/// filter keeps only sockets whose source or destination port is the port, so a server with a million sockets on
/// other ports costs the dump nothing. One netlink socket and one receive buffer serve every sample.
/// <code>
/// struct inet_diag_req_v2 { u8 family, protocol, ext, pad; u32 states; struct inet_diag_sockid id; }      // 56 bytes
/// struct inet_diag_msg    { u8 family, state, timer, retrans; struct inet_diag_sockid id;                  // 72 bytes
///                           u32 expires, rqueue, wqueue, uid, inode; }
/// struct inet_diag_sockid { be16 sport, dport; be32 src[4], dst[4]; u32 if; u32 cookie[2]; }             // 48 bytes
/// </code>
/// rqueue/wqueue mean what /proc/net/tcp's rx_queue/tx_queue mean: Recv-Q/Send-Q bytes, or on a LISTEN socket the
/// accept queue and the backlog limit.
/// </summary>
internal sealed partial class SockDiagTcpDump : IDisposable
{
    private const int AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16;
    private const int SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000;
    private const int NETLINK_SOCK_DIAG = 4, SOCK_DIAG_BY_FAMILY = 20;
    private const int NLM_F_REQUEST = 1, NLM_F_DUMP = 0x300;
    private const int NLMSG_ERROR = 2, NLMSG_DONE = 3;
    private const int IPPROTO_TCP = 6;
    private const int INET_DIAG_REQ_BYTECODE = 1;
    private const byte INET_DIAG_BC_JMP = 1, INET_DIAG_BC_S_EQ = 11, INET_DIAG_BC_D_EQ = 12; // linux/inet_diag.h
    private const int RecvTimeoutMs = 2000;

    private readonly int _fd;
    private readonly byte[] _request4;
    private readonly byte[] _request6;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private uint _sequence;

    private SockDiagTcpDump(int fd, int port)
    {
        _fd = fd;
        _request4 = BuildRequest(AF_INET, port);
        _request6 = BuildRequest(AF_INET6, port);
    }

    /// <summary>Opens the netlink socket; null when the kernel or a sandbox refuses it.</summary>
    public static SockDiagTcpDump? TryOpen(int port)
    {
        try
        {
            var fd = LibC.Socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
            if (fd < 0) return null;
            // A receive timeout, so a kernel that never answers cannot stall the sampler.
            Span<long> tv = [RecvTimeoutMs / 1000, RecvTimeoutMs % 1000 * 1000];
            SetSockOpt(fd, 1 /* SOL_SOCKET */, 20 /* SO_RCVTIMEO */, MemoryMarshal.AsBytes(tv));
            return new SockDiagTcpDump(fd, port);
        }
        catch (DllNotFoundException) { return null; }
        catch (EntryPointNotFoundException) { return null; }
    }

    /// <summary>Dumps IPv4 then IPv6 sockets on the port into <paramref name="into"/>; false if the kernel refused.</summary>
    public bool Dump(TcpSocketReader into) => Dump(_request4, into) && Dump(_request6, into);

    private bool Dump(byte[] request, TcpSocketReader into)
    {
        var seq = ++_sequence;
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(8), seq);
        if (Send(_fd, request) != request.Length) return false;
        while (true)
        {
            var n = Recv(_fd, _buffer);
            if (n <= 0) return false;
            var data = _buffer.AsSpan(0, n);
            while (data.Length >= 16)
            {
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data);
                var type = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
                var msgSeq = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
                if (length < 16 || length > data.Length) return false;
                if (msgSeq == seq)
                {
                    if (type == NLMSG_DONE) return true;
                    if (type == NLMSG_ERROR) return false;
                    if (type == SOCK_DIAG_BY_FAMILY && length >= 16 + 72) Count(data.Slice(16, 72), into);
                }
                data = data[Math.Min(data.Length, (length + 3) & ~3)..];
            }
        }
    }

    private static void Count(ReadOnlySpan<byte> msg, TcpSocketReader into)
    {
        var state = msg[1];
        var sport = BinaryPrimitives.ReadUInt16BigEndian(msg[4..]);
        var rqueue = BinaryPrimitives.ReadUInt32LittleEndian(msg[56..]);
        var wqueue = BinaryPrimitives.ReadUInt32LittleEndian(msg[60..]);
        into.Count(sport, state, rqueue, wqueue);
    }

    /// <summary>
    /// nlmsghdr + inet_diag_req_v2 (all states, TCP) + an INET_DIAG_REQ_BYTECODE attribute holding
    /// "sport == P ? accept : (dport == P ? accept : reject)". Each op is {u8 code, u8 yes, u16 no} where
    /// yes/no are byte offsets to jump by; a jump past the end accepts, to end+4 rejects.
    /// </summary>
    private static byte[] BuildRequest(int family, int port)
    {
        // S_EQ/D_EQ take their port in the following 4-byte op's "no" field (struct inet_diag_bc_op); JMP always
        // takes its "no" offset. Ending exactly at the end accepts; overshooting by 4 rejects (inet_diag_bc_run).
        Span<byte> bc = stackalloc byte[24];
        WriteOp(bc[0..], INET_DIAG_BC_S_EQ, 8, 16);     // sport == P ? go to [8] : go to [16]
        WriteOp(bc[4..], 0, 0, (ushort)port);
        WriteOp(bc[8..], INET_DIAG_BC_JMP, 4, 16);     // unconditional: accept by jumping to the end (8 + 16 = 24)
        WriteOp(bc[12..], 0 /* NOP */, 4, 4);           // never run; the kernel's audit walks every "yes" edge, so it must be a valid op
        WriteOp(bc[16..], INET_DIAG_BC_D_EQ, 8, 12);    // dport == P ? accept (16 + 8 = 24) : reject (16 + 12 = 28)
        WriteOp(bc[20..], 0, 0, (ushort)port);
        var attrLength = 4 + bc.Length;
        var total = 16 + 56 + attrLength;
        var req = new byte[total];
        var s = req.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)total);
        BinaryPrimitives.WriteUInt16LittleEndian(s[4..], SOCK_DIAG_BY_FAMILY);
        BinaryPrimitives.WriteUInt16LittleEndian(s[6..], NLM_F_REQUEST | NLM_F_DUMP);
        s[16] = (byte)family;
        s[17] = IPPROTO_TCP;
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], 0xFFFFFFFF); // every state
        var attr = s[(16 + 56)..];
        BinaryPrimitives.WriteUInt16LittleEndian(attr, (ushort)attrLength);
        BinaryPrimitives.WriteUInt16LittleEndian(attr[2..], INET_DIAG_REQ_BYTECODE);
        bc.CopyTo(attr[4..]);
        return req;
    }

    private static void WriteOp(Span<byte> at, byte code, byte yes, ushort no)
    {
        at[0] = code;
        at[1] = yes;
        BinaryPrimitives.WriteUInt16LittleEndian(at[2..], no);
    }

    private static unsafe void SetSockOpt(int fd, int level, int name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value) LibC.SetSockOpt(fd, level, name, p, (uint)value.Length);
    }

    private static unsafe int Send(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data) return (int)LibC.Send(fd, p, (nuint)data.Length, 0);
    }

    private static unsafe int Recv(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer) return (int)LibC.Recv(fd, p, (nuint)buffer.Length, 0);
    }

    public void Dispose() => Native.Close(_fd);
}
