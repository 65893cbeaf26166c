using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Load;

/// <summary><c>--alpn</c> on both TLS engines against <c>openssl s_server -alpn mqtt</c>, which refuses a client offering only
/// protocols it does not speak (alert no_application_protocol) and accepts one offering none.</summary>
public sealed class BurstAlpnTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData("openssl", null, 2)]
    [InlineData("openssl", "x-connburst,mqtt", 2)]
    [InlineData("openssl", "x-connburst", 0)]
    [InlineData("sslstream", "x-connburst,mqtt", 2)]
    [InlineData("sslstream", "x-connburst", 0)]
    public async Task TheOfferedProtocolsDecideTheHandshake(string engine, string? alpn, int handshakes)
    {
        using var server = new OpenSslServer("1.2", null, false, "-alpn", "mqtt");
        using var dir = new TempDir();
        string[] args = ["burst", "--target", $"127.0.0.1:{server.Port}", "--pki", TestPki.Dir, "--tls-only", "--tls-engine", engine,
            "--clients", "2", "--rate", "5", "--linger", "100ms", "--reconnect-delay", "1m", "--duration", "3s", "--connect-timeout", "30s",
            "--out", dir.Path];
        var run = await CliProcess.RunAsync(RunTimeout, alpn is null ? args : [.. args, "--alpn", alpn]);
        Assert.True(File.Exists(run.LastLine), run.ToString());
        var doc = ConnBurst.Results.ResultsFile.Read(run.LastLine);

        Assert.True(doc.Counts.Connacks == handshakes, $"failures: {string.Join(", ", doc.Counts.Failed)}\n{run}\n{server.Output}");
        Assert.Equal(2 - handshakes, doc.Counts.Failed.Values.Sum());
        if (handshakes == 0) Assert.Contains("no application protocol", server.Output);
        Assert.Equal(alpn, doc.Config["tls"]!["alpn"]?.GetValue<string>());
    }
}
