using System.Net.Security;
using System.Net.Sockets;
using ConnBurst.Mqtt;
using ConnBurst.Pki;
using ConnBurst.Tls;

namespace ConnBurst.Bench;

/// <summary>
/// <c>hold PORT PKI_DIR COUNT SECONDS</c>: opens COUNT mutual-TLS MQTT connections (CONNECT with keepalive 0, so they stay
/// silent), prints <c>held N</c>, holds them SECONDS (or until stdin closes), then closes them. Bounded in count and time;
/// used by bench/server-memory.sh to measure a server's memory per idle connection.
/// </summary>
public static class HoldBench
{
    public static int Run(string[] args)
    {
        if (args.Length < 4) { Console.Error.WriteLine("usage: hold PORT PKI_DIR COUNT SECONDS"); return 2; }
        var port = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
        var manifest = PkiManifest.Load(args[1]);
        var count = Math.Min(int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), 15_000);
        var hold = TimeSpan.FromSeconds(Math.Min(double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture), 600));
        var tls = TlsClientFactory.FromManifest(manifest, TlsOptions.Default);
        var connect = new MqttConnect { ClientId = "", KeepAliveSeconds = 0 };
        var packet = new byte[MqttConnectEncoder.GetSize(connect)];
        MqttConnectEncoder.Write(packet, connect);

        var held = new List<SslStream>(count);
        var failed = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        var next = 0;
        var gate = new Lock();
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var buf = new byte[64];
            while (DateTime.UtcNow < deadline)
            {
                lock (gate) { if (next >= count) return; next++; }
                try
                {
                    var tcp = new TcpClient { NoDelay = true };
                    await tcp.ConnectAsync("127.0.0.1", port);
                    var ssl = new SslStream(tcp.GetStream());
                    await ssl.AuthenticateAsClientAsync(tls.Options);
                    await ssl.WriteAsync(packet);
                    var n = await ssl.ReadAsync(buf);
                    if (MqttConnAckDecoder.TryDecode(buf.AsSpan(0, n), out var ack, out int _, out MqttReasonCode _) != MqttDecodeStatus.Ok
                        || ack.ReasonCode != MqttReasonCode.Success)
                    {
                        throw new IOException("no CONNACK success");
                    }
                    lock (gate) held.Add(ssl);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToArray();
        Task.WaitAll(workers);
        Console.WriteLine($"held {held.Count} failed {failed}");
        Console.Out.Flush();
        var stdinClosed = Task.Run(() => Console.In.ReadToEnd());
        Task.WaitAny(stdinClosed, Task.Delay(hold));
        foreach (var s in held) s.Dispose();
        return 0;
    }
}
