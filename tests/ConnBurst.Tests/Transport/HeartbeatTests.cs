using System.Collections.Concurrent;
using System.Net.Sockets;
using ConnBurst.Servers.Hosting;

namespace ConnBurst.Tests.Transport;

/// <summary>The heartbeat's count of timeouts: one per connection it closed, however many ticks still find it registered.</summary>
public class HeartbeatTests
{
    [Fact]
    public void AConnectionStillRegisteredAfterItsTimeoutIsCountedOnce()
    {
        var connections = new ConcurrentDictionary<long, ServerConnection>();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // A handshake deadline long past: every tick finds it timed out until the read loop would unregister it.
        connections[1] = new ServerConnection(1, socket, handshakeDeadlineMs: 1);
        using var heartbeat = new Heartbeat(connections, TimeSpan.FromSeconds(1), log: null);
        heartbeat.Tick(1_000);
        heartbeat.Tick(2_000);
        heartbeat.Tick(3_000);
        Assert.Equal(1, heartbeat.Timeouts["handshake-timeout"]);
    }
}
