using System.Net;
using System.Net.Sockets;
using ConnBurst.Monitor.Proc;

namespace ConnBurst.Tests.Monitor;

/// <summary>The netlink sock_diag reader agrees with /proc/net/tcp{,6} on real loopback sockets.</summary>
public sealed class SockDiagTests
{
    [Fact]
    public async Task NetlinkAndProcNetTcpCountTheSameSocketsAndQueues()
    {
        using var listener = new TcpListener(IPAddress.IPv6Any, 0);
        listener.Server.DualMode = true;
        listener.Start(16);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var clients = new List<TcpClient>();
        var accepted = new List<Socket>();
        try
        {
            // Three accepted connections (IPv4, IPv4, IPv6) with 1000 and 3000 unread bytes on two of them,
            // then one connection left in the accept queue.
            foreach (var address in new[] { IPAddress.Loopback, IPAddress.Loopback, IPAddress.IPv6Loopback })
            {
                var c = new TcpClient(address.AddressFamily);
                await c.ConnectAsync(address, port).WaitAsync(TimeSpan.FromSeconds(10));
                clients.Add(c);
                accepted.Add(await listener.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(10)));
            }
            await clients[0].GetStream().WriteAsync(new byte[1000]);
            await clients[2].GetStream().WriteAsync(new byte[3000]);
            var waiting = new TcpClient();
            await waiting.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(10));
            clients.Add(waiting);
            // Loopback delivery is not instant on a busy machine: wait until the kernel shows every byte and the queued connect.
            var delivered = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < delivered)
            {
                using var probe = new TcpSocketReader(port);
                if (probe.Sample() && probe.RecvQSum == 4000 && probe.AcceptQueue == 1) break;
                await Task.Delay(50);
            }

            using var netlink = new TcpSocketReader(port);
            using var proc = new TcpSocketReader(port, useNetlink: false);
            Assert.True(netlink.Sample());
            Assert.True(proc.Sample());
            Assert.Equal("netlink", netlink.Source);
            Assert.Equal("proc", proc.Source);

            Assert.Equal(proc.States, netlink.States);
            Assert.Equal(1, netlink.States[(int)TcpState.Listen]);
            Assert.Equal(4, netlink.States[(int)TcpState.Established]); // 3 accepted + 1 waiting in the queue
            Assert.Equal(1, netlink.AcceptQueue);
            Assert.Equal(proc.AcceptQueue, netlink.AcceptQueue);
            Assert.Equal(4000, netlink.RecvQSum);
            Assert.Equal(3000, netlink.RecvQMax);
            Assert.Equal(proc.RecvQSum, netlink.RecvQSum);
            Assert.Equal(proc.SendQSum, netlink.SendQSum);
            Assert.Equal(4, netlink.PeerSockets);
            Assert.Equal(proc.PeerSockets, netlink.PeerSockets);
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
            foreach (var a in accepted) a.Dispose();
        }
    }
}
