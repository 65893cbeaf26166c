using System.Net;
using ConnBurst.Common;

using ConnBurst.Transport;

namespace ConnBurst.Servers.Hosting;

/// <summary>How a <see cref="TlsServerHost"/> listens. Immutable; <see cref="Validate"/> once at the edge.</summary>
internal sealed record TlsServerHostOptions
{
    public required IPEndPoint EndPoint { get; init; }
    /// <summary>Kernel accept queue (capped by net.core.somaxconn). Bursts of thousands of connects need a deep one.</summary>
    public int Backlog { get; init; } = 4096;
    /// <summary>SO_REUSEPORT, for several worker processes on one port.</summary>
    public bool ReusePort { get; init; }
    /// <summary>A TLS handshake not done by then is aborted (half-open and slowloris clients).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Accept at most this many connections per second; null = as fast as they come.</summary>
    public double? MaxAcceptRate { get; init; }
    /// <summary>Bytes read per I/O; the buffer is rented only while a read is in flight or a partial frame is held.</summary>
    public int ReadBufferSize { get; init; } = 4096;
    /// <summary>The largest partial frame the transport will hold for a session; past it the connection is closed.</summary>
    public int MaxBufferedBytes { get; init; } = 1 << 20;
    /// <summary>The one clock's tick.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TlsServerHostOptions Validate()
    {
        if (Backlog < 1) throw new InputException($"backlog must be at least 1 (got {Backlog})");
        if (HandshakeTimeout <= TimeSpan.Zero) throw new InputException("--handshake-timeout must be positive");
        if (MaxAcceptRate is <= 0 or double.NaN) throw new InputException($"--max-accept-rate must be positive (got {MaxAcceptRate})");
        if (ReadBufferSize < 256) throw new InputException("read buffer must be at least 256 bytes");
        if (MaxBufferedBytes < ReadBufferSize) throw new InputException("max buffered bytes must be at least the read buffer size");
        if (HeartbeatInterval <= TimeSpan.Zero) throw new InputException("heartbeat interval must be positive");
        return this;
    }
}
