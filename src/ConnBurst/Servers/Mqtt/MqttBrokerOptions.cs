using System.Net;
using ConnBurst.Common;
using ConnBurst.Mqtt;
using ConnBurst.Tls;

namespace ConnBurst.Servers.Mqtt;

/// <summary>The effective configuration of <c>connburst serve mqtt</c>. Immutable; <see cref="Validate"/> once at the edge.</summary>
internal sealed record MqttBrokerOptions
{
    public IPAddress Bind { get; init; } = IPAddress.Loopback;
    public int Port { get; init; } = 8884;
    public TlsOptions Tls { get; init; } = TlsOptions.Default;
    public ClientCertMode ClientCerts { get; init; } = ClientCertMode.Required;
    /// <summary>What runs the server's TLS: <c>--tls-engine openssl|sslstream</c> (docs/DECISIONS.md "Tls: a libssl server
    /// engine").</summary>
    public TlsEngine Engine { get; init; } = TlsEngine.OpenSsl;
    /// <summary>Server processes sharing the port with SO_REUSEPORT (1: this process serves alone).</summary>
    public int Workers { get; init; } = 1;
    /// <summary>Set in a child started by a <c>--workers</c> parent: this process is one of several on the port.</summary>
    public int? WorkerId { get; init; }
    /// <summary>SO_REUSEPORT: when there are workers, each of them (and only then) shares the port.</summary>
    public bool ReusePort => Workers > 1 || WorkerId is not null;
    public double? MaxAcceptRate { get; init; }
    /// <summary>The listen backlog asked of the kernel (capped by net.core.somaxconn).</summary>
    public int Backlog { get; init; } = 4096;
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Time from handshake to CONNECT before the connection is closed (slowloris after TLS).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public int MaxPacketSize { get; init; } = 64 * 1024;
    /// <summary>The MQTT versions accepted (<c>--mqtt</c>); both by default, as brokers in the field do.</summary>
    public IReadOnlySet<MqttVersion> AcceptedVersions { get; init; } = MqttVersions.All;
    /// <summary>How often counters are printed.</summary>
    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromSeconds(5);

    public MqttBrokerOptions Validate()
    {
        if (Port is < 0 or > 65535) throw new InputException($"--listen: port {Port} is not a port number (0-65535)");
        if (Backlog < 1) throw new InputException($"--backlog: {Backlog} must be at least 1");
        if (Workers is < 1 or > 64) throw new InputException($"--workers: {Workers} is out of range (1-64)");
        if (Workers > 1 && Port == 0)
            throw new InputException("--workers needs a fixed --listen port (workers share it with SO_REUSEPORT)");
        if (MaxAcceptRate is { } r && (r <= 0 || double.IsNaN(r) || double.IsInfinity(r)))
            throw new InputException($"--max-accept-rate: {r} must be a positive number of connections per second");
        if (HandshakeTimeout <= TimeSpan.Zero) throw new InputException("--handshake-timeout must be positive");
        if (ConnectTimeout <= TimeSpan.Zero) throw new InputException("--connect-timeout must be positive");
        if (MaxPacketSize is < 64 or > 268_435_460)
            throw new InputException($"--max-packet-size: {MaxPacketSize} is out of range (64 B - 256 MiB)");
        if (AcceptedVersions.Count == 0) throw new InputException("--mqtt: name at least one version (5, 3.1.1 or both)");
        if (ReportInterval < TimeSpan.FromMilliseconds(100)) throw new InputException("--interval must be at least 100ms");
        return this;
    }

    /// <summary>The effective configuration, as printed at start and embedded in results.</summary>
    public IEnumerable<(string Name, string Value)> Describe()
    {
        yield return ("listen", $"{Bind}:{Port}");
        yield return ("tls", Tls.Describe());
        yield return ("client-cert", ClientCerts.Name());
        yield return ("tls-engine", Engine.Name());
        yield return ("workers", Workers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("backlog", Backlog.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("max-accept-rate", MaxAcceptRate is { } r ? $"{r}/s" : "unlimited");
        yield return ("handshake-timeout", Durations.Format(HandshakeTimeout));
        yield return ("connect-timeout", Durations.Format(ConnectTimeout));
        yield return ("mqtt", MqttVersions.Describe(AcceptedVersions));
        yield return ("max-packet-size", MaxPacketSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
