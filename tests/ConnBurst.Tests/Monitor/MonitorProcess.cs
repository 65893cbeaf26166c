using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using ConnBurst.Common;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Monitor;

/// <summary>A real <c>connburst monitor</c> on a free loopback port (it prints the port it bound), with its results in a temp
/// dir.</summary>
internal sealed partial class MonitorProcess : IDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private MonitorProcess(CliProcess process, HostPort endpoint, string results)
    {
        Process = process;
        Endpoint = endpoint;
        ResultsDir = results;
    }

    public CliProcess Process { get; }
    public HostPort Endpoint { get; }
    public string ResultsDir { get; }

    public static async Task<MonitorProcess> StartAsync(TempDir dir, IEnumerable<string> extra, IDictionary<string, string>? env = null)
    {
        var results = dir.Combine("results");
        var process = CliProcess.Start(["monitor", "--listen", "127.0.0.1:0", "--out", results, .. extra], env);
        try
        {
            await process.WaitForOutputAsync("listening on ", StartTimeout);
            var m = ListeningLine().Match(process.Stdout);
            Assert.True(m.Success, process.Stdout);
            return new MonitorProcess(process, new HostPort("127.0.0.1", int.Parse(m.Groups[1].Value)), results);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>A raw line-protocol connection, as a tester written in any language would open.</summary>
    public async Task<RawControl> ConnectRawAsync()
    {
        var tcp = new TcpClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await tcp.ConnectAsync("127.0.0.1", Endpoint.Port, cts.Token);
        return new RawControl(tcp);
    }

    public void Dispose() => Process.Dispose();

    /// <summary>
    /// Polls STATUS ("OK recording seconds=1.2 samples=4 ...") until the recording holds at least
    /// <paramref name="samples"/> samples. A fixed sleep is not enough on a loaded machine: a starved monitor
    /// misses ticks (the timer does not queue them), so "1.2 s at 250 ms" can be 2 samples instead of 4.
    /// </summary>
    public static async Task WaitForSamplesAsync(Func<Task<string>> status, int samples, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            last = await status();
            var m = SamplesField().Match(last);
            if (m.Success && int.Parse(m.Groups[1].Value) >= samples) return;
            await Task.Delay(100);
        }
        Assert.Fail($"the recording did not reach {samples} samples in {timeout}; last STATUS: {last}");
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"\bsamples=(\d+)")]
    private static partial Regex SamplesField();
}

internal sealed class RawControl(TcpClient tcp) : IDisposable
{
    private readonly NetworkStream _stream = tcp.GetStream();
    private readonly StreamReader _reader = new(tcp.GetStream(), Encoding.UTF8);

    /// <summary>Sends raw text (a newline is added) and returns the one reply line.</summary>
    public async Task<string> SendAsync(string line, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cts.Token);
        return await _reader.ReadLineAsync(cts.Token) ?? throw new IOException("monitor closed the connection");
    }

    public async Task SendBytesAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _stream.WriteAsync(bytes, cts.Token);
    }

    public async Task<string?> ReadLineAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _reader.ReadLineAsync(cts.Token);
    }

    public void Dispose()
    {
        _reader.Dispose();
        tcp.Dispose();
    }
}
