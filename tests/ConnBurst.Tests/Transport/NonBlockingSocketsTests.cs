using System.Net;
using System.Net.Sockets;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Transport;

namespace ConnBurst.Tests.Transport;

/// <summary>
/// The event loop's sockets and epoll set against real loopback peers: a connect's outcome read when the socket turns
/// writable, a source address the peer sees, readiness without taking bytes, and a wake-up from another thread.
/// </summary>
public sealed class NonBlockingSocketsTests
{
    private const uint Interest = EpollPoller.In | EpollPoller.Out | EpollPoller.RdHup | EpollPoller.EdgeTriggered;

    [Fact]
    public void AConnectToAPortNobodyListensOnEndsRefusedWhenTheSocketIsReady()
    {
        using var poller = new EpollPoller();
        var fd = NonBlockingSockets.StartConnect(new IPEndPoint(IPAddress.Loopback, FreePort.Next()), null, out var error);
        try
        {
            // Loopback may refuse at once or report it through the socket; both are a refusal.
            if (fd < 0)
            {
                Assert.Equal(SocketError.ConnectionRefused, error);
                return;
            }
            Assert.Equal(0, poller.Add(fd, 7, Interest));
            var n = poller.Wait(10_000);
            Assert.Equal(1, n);
            Assert.Equal(7UL, poller.TokenAt(0));
            Assert.Equal(SocketError.ConnectionRefused, NonBlockingSockets.ConnectResult(fd));
        }
        finally
        {
            NonBlockingSockets.Close(fd);
        }
    }

    [Fact]
    public async Task AConnectFromASourceAddressReachesThePeerFromThatAddress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accept = listener.AcceptSocketAsync();
        using var poller = new EpollPoller();
        var fd = NonBlockingSockets.StartConnect((IPEndPoint)listener.LocalEndpoint, IPAddress.Parse("127.0.0.3"), out var error);
        Assert.True(fd >= 0, error.ToString());
        try
        {
            Assert.Equal(0, poller.Add(fd, 1, Interest));
            Assert.Equal(1, poller.Wait(10_000));
            Assert.Equal(SocketError.Success, NonBlockingSockets.ConnectResult(fd));
            using var peer = await accept.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(IPAddress.Parse("127.0.0.3"), ((IPEndPoint)peer.RemoteEndPoint!).Address);
        }
        finally
        {
            NonBlockingSockets.Close(fd);
        }
    }

    [Fact]
    public async Task AnIdleSocketHasNoDataUntilThePeerWritesAndPeekingTakesNothing()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accept = listener.AcceptSocketAsync();
        using var poller = new EpollPoller();
        var fd = NonBlockingSockets.StartConnect((IPEndPoint)listener.LocalEndpoint, null, out _);
        try
        {
            poller.Add(fd, 1, Interest);
            poller.Wait(10_000);
            using var peer = await accept.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.False(NonBlockingSockets.HasData(fd));

            peer.Send([0xd0, 0x00]); // PINGRESP
            Assert.Equal(1, poller.Wait(10_000)); // the edge for the bytes
            Assert.True(NonBlockingSockets.HasData(fd));
            Assert.True(NonBlockingSockets.HasData(fd)); // still there: a peek takes nothing

            peer.Shutdown(SocketShutdown.Both);
            poller.Wait(10_000);
            Assert.True(NonBlockingSockets.HasData(fd)); // end of stream is something to read too
        }
        finally
        {
            NonBlockingSockets.Close(fd);
        }
    }

    [Fact]
    public async Task AWakeFromAnotherThreadEndsAWaitThatHadNothingElseToWaitFor()
    {
        using var poller = new EpollPoller();
        var waiting = Task.Run(() =>
        {
            var n = poller.Wait(60_000);
            return n == 1 ? poller.TokenAt(0) : 0UL;
        });
        await Task.Delay(100);
        poller.Wake();
        Assert.Equal(EpollPoller.WakeToken, await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        poller.ClearWake();
        Assert.Equal(0, poller.Wait(0)); // quiet again once the wake-up was taken
    }
}
