using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Chat;

/// <summary>A real <c>connburst serve chat</c> on a free loopback port, with its counters read from its log.</summary>
public sealed class ChatServerProcess : IDisposable
{
    public CliProcess Process { get; }
    public int Port { get; }

    private readonly TempDir _results;

    private ChatServerProcess(CliProcess process, int port, TempDir results) { Process = process; Port = port; _results = results; }

    public static async Task<ChatServerProcess> StartAsync(params string[] extra)
    {
        var results = new TempDir();
        var p = CliProcess.Start(["serve", "chat", "--listen", "127.0.0.1:0", "--pki", TestPki.Dir, "--interval",
            "500ms", "--out", results.Path, .. extra]);
        try
        {
            await p.WaitForOutputAsync("listening on 127.0.0.1:", TimeSpan.FromSeconds(60));
            var port = int.Parse(Regex.Match(p.Stdout, @"listening on 127\.0\.0\.1:(\d+)").Groups[1].Value);
            return new ChatServerProcess(p, port, results);
        }
        catch
        {
            p.Dispose();
            results.Dispose();
            throw;
        }
    }

    /// <summary>The latest value of a counter from the periodic stats line, e.g. "tls1.2" or "slow-dropped".</summary>
    public long Counter(string name)
    {
        var matches = Regex.Matches(Process.Stdout, $@"(?<![\w.-]){Regex.Escape(name)}=(\d+)");
        return matches.Count == 0 ? 0 : long.Parse(matches[^1].Groups[1].Value);
    }

    /// <summary>Waits until a counter reaches at least <paramref name="atLeast"/>.</summary>
    public async Task<long> WaitForCounterAsync(string name, long atLeast, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var v = Counter(name);
            if (v >= atLeast) return v;
            await Task.Delay(100);
        }
        throw new TimeoutException($"counter {name} did not reach {atLeast}: {Process.Stdout}");
    }

    /// <summary>Ctrl-C, then the whole output (its results file's path on the last line).</summary>
    public async Task<CliResult> StopAsync()
    {
        Process.Interrupt();
        return await Process.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public void Dispose()
    {
        Process.Dispose();
        _results.Dispose();
    }
}

/// <summary>A hand-driven chat client over TLS for protocol tests: send lines, read lines, every wait bounded.</summary>
public sealed class RawChatClient : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TcpClient _tcp;
    private readonly SslStream _ssl;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start, _end; // unread bytes are _buffer[_start.._end]

    private RawChatClient(TcpClient tcp, SslStream ssl) { _tcp = tcp; _ssl = ssl; }

    public static async Task<RawChatClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        using var cts = new CancellationTokenSource(Timeout);
        await tcp.ConnectAsync("127.0.0.1", port, cts.Token);
        var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true); // protocol tests, not trust tests
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cts.Token);
        return new RawChatClient(tcp, ssl);
    }

    public async Task SendAsync(string text) => await SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Sends raw bytes; false when the server has already closed (a rule breaker may be cut off mid-send).</summary>
    public async Task<bool> SendAsync(byte[] bytes)
    {
        try
        {
            using var cts = new CancellationTokenSource(Timeout);
            await _ssl.WriteAsync(bytes, cts.Token);
            return true;
        }
        catch (IOException) { return false; }
    }

    /// <summary>The next line, or null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, lf - _start);
                _start = lf + 1;
                return line;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            int n;
            try { n = await _ssl.ReadAsync(_buffer.AsMemory(_end), cts.Token); }
            catch (IOException) { return null; }
            if (n == 0) return null;
            _end += n;
        }
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>; fails on close.</summary>
    public async Task<string> ReadUntilAsync(string prefix)
    {
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new IOException($"closed before a line starting '{prefix}'");
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return line;
        }
    }

    /// <summary>Reads until the server closes; returns every line seen.</summary>
    public async Task<List<string>> ReadToCloseAsync()
    {
        var lines = new List<string>();
        while (await ReadLineAsync() is { } line) lines.Add(line);
        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        await _ssl.DisposeAsync();
        _tcp.Dispose();
    }
}
