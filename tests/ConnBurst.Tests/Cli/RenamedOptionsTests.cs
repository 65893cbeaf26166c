using ConnBurst.Cli;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Cli;

/// <summary>Old spellings still work, say so in one line on stderr, and reach the new option's value (docs/CLI.md, "Renamed
/// options").</summary>
public sealed class RenamedOptionsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("burst --behind-threshold-ms 25", "--behind-threshold", "25ms")]
    [InlineData("burst --timeout 3s", "--connect-timeout", "3s")]
    [InlineData("burst --snapshot 2s", "--interval", "2s")]
    [InlineData("peak --timeout 7s", "--connect-timeout", "7s")]
    [InlineData("serve mqtt --report-interval 1s", "--interval", "1s")]
    [InlineData("serve chat --stats-interval 0", "--interval", "0ms")]
    public void AnOldDurationSpellingSetsTheNewOption(string line, string option, string expected)
    {
        var parse = CliApp.BuildRoot().Parse(line);
        Assert.Empty(parse.Errors);
        Assert.Equal(expected, parse.GetValue<Duration>(option).ToString());
    }

    [Theory]
    [InlineData("serve mqtt --bind 0.0.0.0 --port 9000", "0.0.0.0:9000")]
    [InlineData("serve mqtt --port 9001", "127.0.0.1:9001")]
    [InlineData("serve chat --listen 127.0.0.1 --port 9002", "127.0.0.1:9002")]
    [InlineData("serve chat --port 0", "0.0.0.0:0")]
    [InlineData("serve chat --listen 127.0.0.1:9003", "127.0.0.1:9003")]
    public void OldAddressPartsMakeTheListenAddress(string line, string listen) =>
        Assert.Equal(listen, CliApp.BuildRoot().Parse(line).GetValue<string>("--listen"));

    [Fact]
    public void ANewSpellingGivenWinsOverTheOld() =>
        Assert.Equal("4s", CliApp.BuildRoot().Parse("burst --connect-timeout 4s --timeout 9s").GetValue<Duration>("--connect-timeout")
            .ToString());

    [Fact]
    public void AnOldSpellingWithABadValueIsTheParsesOneLineError()
    {
        var parse = CliApp.BuildRoot().Parse("burst --timeout 3x");
        Assert.Contains(parse.Errors, e => e.Message.Contains("'3x' is not a duration", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClientlistsOldOutWritesTheFileAndSaysTheNewNameOnce()
    {
        using var dir = new TempDir();
        var path = dir.Combine("list.txt");
        var r = await CliProcess.RunAsync(Wait, "clientlist", "--destlist", "127.0.0.1", "--clients", "3", "--out", path);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(File.Exists(path), r.ToString());
        var notices = r.Stderr.Split('\n').Where(l => l.Contains("--out is now --out-file", StringComparison.Ordinal)).ToList();
        Assert.Equal(["connburst clientlist: --out is now --out-file; the old spelling will go in a later release"],
            notices.Select(l => l.TrimEnd()));
    }

    [Fact]
    public async Task ServeChatsOldListenAndPortStillListenThereAndStopWith130()
    {
        using var dir = new TempDir();
        var port = FreePort.Next();
        using var p = CliProcess.Start("serve", "chat", "--listen", "127.0.0.1", "--port", port.ToString(), "--results", dir.Path,
            "--pki", TestPki.Dir);
        await p.WaitForOutputAsync($"listening on 127.0.0.1:{port}", Wait);
        p.Interrupt();
        var r = await p.WaitAsync(Wait);
        Assert.Equal(ExitCodes.Interrupted, r.ExitCode);
        Assert.Contains("connburst serve chat: --port is now --listen HOST:PORT", r.Stderr);
        Assert.Contains("connburst serve chat: --results is now --out", r.Stderr);
        Assert.StartsWith(dir.Path, r.LastLine); // the results went where the old spelling said
    }

    [Fact]
    public async Task ANestedCommandsErrorLineNamesTheWholeCommand()
    {
        var r = await CliProcess.RunAsync(Wait, "serve", "chat", "--listen", "not-an-ip:1");
        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        Assert.StartsWith("connburst serve chat: --listen", r.Stderr.Trim());
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}
