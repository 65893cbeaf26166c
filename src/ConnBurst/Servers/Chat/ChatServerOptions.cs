using System.Net;
using ConnBurst.Chat;
using ConnBurst.Common;

namespace ConnBurst.Servers.Chat;

/// <summary>How <c>serve chat</c> runs. Immutable; validated once at the edge.</summary>
internal sealed record ChatServerOptions
{
    public required IPEndPoint EndPoint { get; init; }
    public ChatLimits Limits { get; init; } = ChatLimits.Default;
    /// <summary>Lines one connection may have queued before it counts as a slow reader and is dropped.</summary>
    public int SendQueueLines { get; init; } = 4096;
    /// <summary>Bytes one connection may have queued before it counts as a slow reader and is dropped.</summary>
    public int SendQueueBytes { get; init; } = 4 << 20;
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public ChatServerOptions Validate()
    {
        Limits.Validate();
        if (SendQueueLines is < 1 or > 1_000_000)
            throw new InputException($"--send-queue {SendQueueLines} is out of range (1-1000000 lines)");
        if (SendQueueBytes < Limits.MaxLineBytes * 2)
            throw new InputException($"send queue bytes {SendQueueBytes} must hold at least two lines ({Limits.MaxLineBytes * 2})");
        if (HandshakeTimeout <= TimeSpan.Zero || HandshakeTimeout > TimeSpan.FromMinutes(10))
            throw new InputException("--handshake-timeout must be above 0 and at most 10m");
        return this;
    }
}
