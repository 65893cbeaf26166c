using ConnBurst.Common;
using ConnBurst.Load;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Load;

public sealed class ClientListTests
{
    [Fact]
    public async Task ClientlistCommandWritesRoundRobinDestinationsShuffledAndBurstFormatReadsThemBack()
    {
        using var dir = new TempDir();
        var m = TestPki.Manifest;
        var path = dir.Combine("list.txt");
        var r = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "clientlist", "--destlist", "127.0.0.1,127.0.0.2,localhost",
            "--clients", "300",
            "--port", "8884", "--cert", m.PathOf(m.Client.Cert), "--key", m.PathOf(m.Client.Key), "--out-file", path);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(path, r.LastLine);

        var list = ClientList.Load(path);
        Assert.Equal("connburst", list.Format);
        Assert.Equal(300, list.Count);
        Assert.Equal(3, list.Destinations.Count);
        Assert.Single(list.Credentials); // one shared pair, stored once
        var perDest = Enumerable.Range(0, list.Count).GroupBy(i => list.DestinationOf(i).Host).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(perDest.Values, n => Assert.Equal(100, n));
        var ids = Enumerable.Range(0, list.Count).Select(list.IdOf).ToList();
        Assert.Equal(300, ids.Distinct().Count());
        Assert.NotEqual(ids.Order(StringComparer.Ordinal), ids); // shuffled
        // Round-robin before the shuffle: client n went to destination n mod 3.
        Assert.All(Enumerable.Range(0, list.Count),
            i => Assert.Equal(new[] { "127.0.0.1", "127.0.0.2", "localhost" }[int.Parse(list.IdOf(i)[3..]) % 3],
            list.DestinationOf(i).Host));
    }

    [Fact]
    public void MqttbenchJsonIsReadWithUnknownFieldsReported()
    {
        using var dir = new TempDir();
        var path = dir.Combine("mqttbench.json");
        File.WriteAllText(path, """
            [
              {"_id":"c1","version":"TCP5","dst":"127.0.0.1","dstPort":8884,"useTLS":true,"clientCertPath":"/x/c.pem","clientKeyPath":"/x/c.key",
               "cleanStart":true,"lingerTimeSecs":30,"reconnectDelayUSecs":2500000,"subscriptions":[{"topic":"a","qos":0}],"username":"u"},
              {"_id":"c2","version":"TCP5","dst":"127.0.0.2","dstPort":8885,"useTLS":true,"clientCertPath":"/x/c.pem","clientKeyPath":"/x/c.key",
               "cleanStart":false,"lingerTimeSecs":0,"reconnectDelayUSecs":0}
            ]
            """);
        var list = ClientList.Load(path);
        Assert.Equal("mqttbench", list.Format);
        Assert.Equal(2, list.Count);
        Assert.Equal("c1", list.IdOf(0));
        Assert.Equal(new HostPort("127.0.0.2", 8885), list.DestinationOf(1));
        Assert.Single(list.Credentials);
        Assert.Equal(30_000, list[0].LingerMs);
        Assert.Equal(2500, list[0].ReconnectDelayMs);
        Assert.False(list[1].CleanStart);
        Assert.Equal(1, list.UnknownFields["subscriptions"]);
        Assert.False(list.UnknownFields.ContainsKey("username")); // read: the client's MQTT user name
        Assert.Equal("u", list.UserNameOf(0));
        Assert.Null(list.UserNameOf(1));
    }

    [Fact]
    public void AMillionEntryMqttbenchListStreamsInCompactly()
    {
        using var dir = new TempDir();
        var path = dir.Combine("big.json");
        using (var w = new StreamWriter(path))
        {
            w.Write('[');
            for (int i = 0; i < 1_000_000; i++)
            {
                if (i > 0) w.Write(',');
                w.Write($"{{\"_id\":\"client-{i}\",\"version\":\"TCP5\",\"dst\":\"10.0.0.{i % 18}\",\"dstPort\":8884,\"useTLS\":true," +
                    $"\"clientCertPath\":\"/p/c.pem\",\"clientKeyPath\":\"/p/c.key\",\"cleanStart\":true,\"lingerTimeSecs\":60," +
                    $"\"reconnectDelayUSecs\":0}}");
            }
            w.Write(']');
        }
        GC.Collect();
        var before = GC.GetTotalMemory(true);
        var list = ClientList.Load(path);
        var after = GC.GetTotalMemory(true);
        Assert.Equal(1_000_000, list.Count);
        Assert.Equal(18, list.Destinations.Count);
        Assert.Single(list.Credentials);
        Assert.Equal("client-999999", list.IdOf(999_999));
        Assert.True(after - before < 120L * 1024 * 1024, $"{(after - before) / 1048576} MiB for 1M entries");
    }

    [Theory]
    [InlineData("[{\"_id\":\"a\",\"version\":\"TCP4\",\"dst\":\"h\",\"dstPort\":1}]", "version 'TCP4'")]
    [InlineData("[{\"_id\":\"a\",\"dst\":\"h\",\"dstPort\":1,\"useTLS\":false}]", "useTLS=false")]
    [InlineData("[{\"_id\":\"a\",\"dst\":\"h\"}]", "dstPort")]
    [InlineData("[{\"dst\":\"h\",\"dstPort\":1}]", "no _id")]
    [InlineData("[{\"_id\":\"a\",\"dst\":\"h\",\"dstPort\":\"x\"}]", "wrong type")]
    [InlineData("[{\"_id\":\"a\",\"dst\":\"h\",\"dstPort\":1}", "malformed")]
    [InlineData("{\"_id\":\"a\"}", "not a client list")]
    [InlineData("#connburst.clientlist/1 id,host,port,cert,key,lingerSecs,reconnectDelayUSecs\na,h,99999,,,-1,0\n", "not a port")]
    [InlineData("#connburst.clientlist/1 id,host,port,cert,key,lingerSecs,reconnectDelayUSecs\na,h,1\n", "expected 7 fields")]
    public void MalformedListsAreOneLineInputErrors(string text, string expected)
    {
        using var dir = new TempDir();
        var path = dir.Combine("bad.list");
        File.WriteAllText(path, text);
        var e = Assert.Throws<InputException>(() => ClientList.Load(path));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
