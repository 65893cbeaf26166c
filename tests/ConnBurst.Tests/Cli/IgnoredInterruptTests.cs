using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Cli;

/// <summary>
/// A shell without job control starts every <c>&amp;</c> job with SIGINT ignored, and .NET keeps an ignored SIGINT ignored:
/// such a server or burst shrugged off Ctrl-C, so its results waited for a SIGTERM or were lost to a kill. Ctrl-C must mean
/// stop and write the results however the process was started.
/// </summary>
public sealed class IgnoredInterruptTests
{
    /// <summary>Starts the command with SIGINT ignored, as <c>cmd &amp;</c> in a script does.</summary>
    private static readonly string[] IgnoringInterrupt =
        ["python3", "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); os.execvp(sys.argv[1], sys.argv[1:])"];

    [Fact]
    public async Task CtrlCStopsAServerStartedWithInterruptIgnoredAndItWritesItsResults()
    {
        var port = FreePort.Next();
        using var dir = new TempDir();
        using var server = CliProcess.Start(["serve", "mqtt", "--pki", TestPki.Dir, "--listen", $"127.0.0.1:{port}", "--workers", "2",
            "--out", dir.Path], launcher: IgnoringInterrupt);
        await server.WaitForOutputAsync($"listening on 127.0.0.1:{port}", TimeSpan.FromSeconds(90));
        var m = TestPki.Manifest;
        var pub = await Servers.MosquittoPub.RunAsync(port, m.PathOf(m.Ca.Cert), m.PathOf(m.Client.Cert), m.PathOf(m.Client.Key));
        Assert.True(pub.ExitCode == 0, pub.Output);

        server.Interrupt();
        var result = await server.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(130, result.ExitCode);
        Assert.DoesNotContain("killed", result.Stderr); // each worker stopped on its own SIGINT and gave its final counters
        Assert.Equal(1, ResultsFile.Read(result.LastLine).Counts.Connacks);
    }
}
