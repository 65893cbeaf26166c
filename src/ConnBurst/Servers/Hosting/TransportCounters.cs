using ConnBurst.Tls;

using ConnBurst.Transport;

namespace ConnBurst.Servers.Hosting;

/// <summary>Why a TLS handshake failed. The certificate reasons mirror <see cref="PeerRefusal"/>.</summary>
internal enum HandshakeFailure
{
    /// <summary>Not finished within the handshake timeout (half-open or slowloris clients).</summary>
    Timeout,
    /// <summary>The peer closed or reset the connection mid-handshake.</summary>
    Closed,
    /// <summary>TLS itself failed: no common protocol or cipher, bad record, alert from the peer.</summary>
    TlsError,
    NoCert,
    WrongCa,
    Expired,
    NotYetValid,
    Revoked,
    InvalidCert,
}

internal static class HandshakeFailures
{
    public static readonly HandshakeFailure[] All = Enum.GetValues<HandshakeFailure>();

    public static HandshakeFailure From(PeerRefusal r) => r switch
    {
        PeerRefusal.NoCert => HandshakeFailure.NoCert,
        PeerRefusal.WrongCa => HandshakeFailure.WrongCa,
        PeerRefusal.Expired => HandshakeFailure.Expired,
        PeerRefusal.NotYetValid => HandshakeFailure.NotYetValid,
        PeerRefusal.Revoked => HandshakeFailure.Revoked,
        _ => HandshakeFailure.InvalidCert,
    };

    /// <summary>Stable names for logs, counters and results JSON (the certificate ones equal <see cref="PeerRefusals.Name"/>).</summary>
    public static string Name(this HandshakeFailure f) => f switch
    {
        HandshakeFailure.Timeout => "timeout",
        HandshakeFailure.Closed => "closed",
        HandshakeFailure.TlsError => "tls-error",
        HandshakeFailure.NoCert => "no-cert",
        HandshakeFailure.WrongCa => "wrong-ca",
        HandshakeFailure.Expired => "expired",
        HandshakeFailure.NotYetValid => "not-yet-valid",
        HandshakeFailure.Revoked => "revoked",
        _ => "invalid-cert",
    };
}

/// <summary>The transport's counters: lock-free increments from every connection, read by the reporter.</summary>
internal sealed class TransportCounters
{
    private long _accepted, _acceptsFailed, _handshakesOk, _closed, _current;
    private readonly long[] _failed = new long[HandshakeFailures.All.Length];

    public long Accepted => Volatile.Read(ref _accepted);
    /// <summary>accept(2) calls that failed: at the descriptor limit (EMFILE) the pending connections wait in the backlog.</summary>
    public long AcceptsFailed => Volatile.Read(ref _acceptsFailed);
    public long HandshakesOk => Volatile.Read(ref _handshakesOk);
    public long Closed => Volatile.Read(ref _closed);
    /// <summary>Connections open now (accepted and not yet closed, handshaking included).</summary>
    public long Current => Volatile.Read(ref _current);
    public long Failed(HandshakeFailure f) => Volatile.Read(ref _failed[(int)f]);
    public long FailedTotal
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _failed.Length; i++) sum += Volatile.Read(ref _failed[i]);
            return sum;
        }
    }

    internal void OnAccepted() { Interlocked.Increment(ref _accepted); Interlocked.Increment(ref _current); }
    internal void OnAcceptFailed() => Interlocked.Increment(ref _acceptsFailed);
    internal void OnHandshakeOk() => Interlocked.Increment(ref _handshakesOk);
    internal void OnHandshakeFailed(HandshakeFailure f) => Interlocked.Increment(ref _failed[(int)f]);
    internal void OnClosed() { Interlocked.Increment(ref _closed); Interlocked.Decrement(ref _current); }

    /// <summary>Failure counts by name, zeros included.</summary>
    public Dictionary<string, long> FailedByReason() => HandshakeFailures.All.ToDictionary(f => f.Name(), Failed);
}
