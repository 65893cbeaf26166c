using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Load;

/// <summary>Bad input is refused before any load is sent: one line on stderr, exit 2, no stack trace.</summary>
public sealed class BurstBadInputTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static async Task AssertRefused(string expected, params string[] args)
    {
        var r = await CliProcess.RunAsync(Timeout, ["burst", "--pki", TestPki.Dir, .. args]);
        Assert.True(r.ExitCode == 2, r.ToString());
        var err = r.Stderr.Trim();
        Assert.DoesNotContain('\n', err);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task MissingCertificateFile() =>
        await AssertRefused("not found", "--target", "127.0.0.1:1", "--cert", "/nonexistent/c.pem", "--key", "/nonexistent/c.key");

    [Fact]
    public async Task KeyThatDoesNotMatchTheCertificate()
    {
        var m = TestPki.Manifest;
        await AssertRefused("cannot load certificate and key", "--target", "127.0.0.1:1", "--cert", m.PathOf(m.Client.Cert), "--key",
            m.PathOf(m.Server.Key));
    }

    [Fact]
    public async Task UnknownTlsVersionAndCipher()
    {
        await AssertRefused("--tls", "--tls", "1.1");
        await AssertRefused("unknown cipher suite", "--ciphers", "NOT-A-CIPHER");
    }

    [Fact]
    public async Task UnknownMqttVersion() => await AssertRefused("--mqtt: '3.1' is not an MQTT version (3.1.1 or 5)", "--mqtt", "3.1");

    [Fact]
    public async Task UnreachableTarget() => await AssertRefused("target 127.0.0.1:", "--target", $"127.0.0.1:{FreePort.Next()}");

    [Fact]
    public async Task SourceAddressThatIsNotLocal() => await AssertRefused("not an address of this machine", "--source-ips", "192.0.2.7");

    [Fact]
    public async Task MalformedClientList()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("l.json"), "[{\"_id\":\"a\",\"version\":\"TCP4\",\"dst\":\"127.0.0.1\",\"dstPort\":1}]");
        await AssertRefused("TCP4", "--client-list", dir.Combine("l.json"));
    }

    [Theory]
    [InlineData("I must be below N", "--shard", "3/3")]
    [InlineData("N must be between 1 and 10000", "--shard", "1/0")]
    [InlineData("is not I/N", "--shard", "one")]
    [InlineData("has passed", "--start-at", "2020-01-01T00:00:00Z")]
    [InlineData("not an RFC 3339 UTC time", "--start-at", "at dawn")]
    public async Task ShardsAndStartTimesThatCannotBe(string expected, string option, string value) =>
        await AssertRefused(expected, "--target", "127.0.0.1:1", option, value);
}
