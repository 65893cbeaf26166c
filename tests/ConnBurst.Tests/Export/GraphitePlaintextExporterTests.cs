using System.Net;
using System.Net.Sockets;
using System.Text;
using ConnBurst.Common;
using ConnBurst.Export;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Export;

/// <summary>The exporter against a plain TCP receiver: line format, one reused connection, reconnection, and never blocking or
/// throwing.</summary>
public sealed class GraphitePlaintextExporterTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task MetricsArriveAsPlaintextLinesOverOneConnection()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var exporter = new GraphitePlaintextExporter(new HostPort("127.0.0.1", port));

        exporter.Enqueue("bench.connburst.agent1.CON", 1234, 1_800_000_000);
        exporter.Enqueue("bench.connburst.agent1.ConnLat_99P", 17.25, 1_800_000_000);
        exporter.Enqueue("bench.skip.nan", double.NaN, 1_800_000_000);
        exporter.Flush();
        using var conn = await listener.AcceptTcpClientAsync().WaitAsync(Wait);
        using var reader = new StreamReader(conn.GetStream(), Encoding.UTF8);
        Assert.Equal("bench.connburst.agent1.CON 1234 1800000000", await ReadLine(reader));
        Assert.Equal("bench.connburst.agent1.ConnLat_99P 17.25 1800000000", await ReadLine(reader));

        exporter.Enqueue([new("bench.connburst.agent1.CON", 1300), new("bench.connburst.agent1.ConnLat_50P", 0.5)], 1_800_000_001);
        Assert.Equal("bench.connburst.agent1.CON 1300 1800000001", await ReadLine(reader));
        Assert.Equal("bench.connburst.agent1.ConnLat_50P 0.5 1800000001", await ReadLine(reader));
        Assert.True(await exporter.DrainAsync(Wait));
        Assert.False(listener.Pending()); // still the one connection
        Assert.Equal(1, exporter.Stats.Connects);
    }

    [Fact]
    public async Task ItReconnectsWhenTheReceiverComesBackAndNeverBlocksMeanwhile()
    {
        var port = FreePort.Next();
        await using var exporter = new GraphitePlaintextExporter(new HostPort("127.0.0.1", port), maxBufferedBytes: 64 * 1024);

        // Nobody listens: enqueueing goes on (it never waits on the network), and beyond the cap lines are dropped and
        // counted, not held. The failed connect is counted once the sender has tried.
        for (var i = 0; i < 5000; i++) exporter.Enqueue("a.b.c", i, 1_800_000_000 + i);
        Assert.True(exporter.Stats.LinesDropped > 0);
        var failed = DateTime.UtcNow + Wait;
        while (exporter.Stats.Failures < 1 && DateTime.UtcNow < failed) await Task.Delay(50);
        Assert.True(exporter.Stats.Failures >= 1);

        // The receiver appears: the buffered lines arrive after the next backoff.
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        using (var first = await listener.AcceptTcpClientAsync().WaitAsync(Wait))
        using (var reader = new StreamReader(first.GetStream(), Encoding.UTF8))
        {
            Assert.Equal("a.b.c 0 1800000000", await ReadLine(reader));
        }
        // The receiver drops the connection: the next lines go out on a new one.
        var deadline = DateTime.UtcNow + Wait;
        TcpClient? second = null;
        while (second is null && DateTime.UtcNow < deadline)
        {
            exporter.Enqueue("x.y.z", 7, 1_800_000_100);
            exporter.Flush();
            if (listener.Pending()) second = await listener.AcceptTcpClientAsync().WaitAsync(Wait);
            else await Task.Delay(200);
        }
        Assert.NotNull(second);
        using (second)
        using (var reader = new StreamReader(second.GetStream(), Encoding.UTF8))
        {
            string? line;
            do line = await ReadLine(reader); while (line is not null && !line.StartsWith("x.y.z", StringComparison.Ordinal));
            Assert.Equal("x.y.z 7 1800000100", line);
        }
        Assert.True(exporter.Stats.Connects >= 2);
    }

    private static async Task<string?> ReadLine(StreamReader reader)
    {
        using var cts = new CancellationTokenSource(Wait);
        return await reader.ReadLineAsync(cts.Token);
    }
}
