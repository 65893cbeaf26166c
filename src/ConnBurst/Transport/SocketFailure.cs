using System.Net.Sockets;

namespace ConnBurst.Transport;

/// <summary>Why a socket operation failed, sorted from <see cref="SocketError"/> once, off the hot path of a success.</summary>
internal enum SocketFailure
{
    None,
    /// <summary>RST in answer to SYN: nothing listens (ECONNREFUSED).</summary>
    Refused,
    /// <summary>No answer in time (ETIMEDOUT), or our own deadline.</summary>
    TimedOut,
    /// <summary>No route (ENETUNREACH, EHOSTUNREACH).</summary>
    Unreachable,
    /// <summary>No local port left for this source address and destination (EADDRNOTAVAIL): add source IPs.</summary>
    NoLocalPort,
    /// <summary>The peer reset an established connection (ECONNRESET, EPIPE).</summary>
    Reset,
    /// <summary>Too many open files (EMFILE/ENFILE) or no buffer space: the generator's own limit.</summary>
    LocalResources,
    /// <summary>The socket was closed under the operation (our own shutdown or timeout).</summary>
    Aborted,
    Other,
}

internal static class SocketFailures
{
    public static SocketFailure Classify(SocketError e) => e switch
    {
        SocketError.Success => SocketFailure.None,
        SocketError.ConnectionRefused => SocketFailure.Refused,
        SocketError.TimedOut => SocketFailure.TimedOut,
        SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.HostNotFound or SocketError.NetworkDown
            => SocketFailure.Unreachable,
        SocketError.AddressNotAvailable or SocketError.AddressAlreadyInUse => SocketFailure.NoLocalPort,
        SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted or SocketError.Disconnecting
            => SocketFailure.Reset,
        SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable => SocketFailure.LocalResources,
        SocketError.OperationAborted or SocketError.Interrupted => SocketFailure.Aborted,
        _ => SocketFailure.Other,
    };

    /// <summary>Sorts any exception a socket or the stream over it throws.</summary>
    public static SocketFailure Classify(Exception e) => e switch
    {
        SocketException s => Classify(s.SocketErrorCode),
        IOException { InnerException: SocketException s } => Classify(s.SocketErrorCode),
        ObjectDisposedException or OperationCanceledException => SocketFailure.Aborted,
        _ => SocketFailure.Other,
    };

    /// <summary>The reason string used in results ("tcp-refused", "tcp-no-local-port"...).</summary>
    public static string Reason(this SocketFailure f) => f switch
    {
        SocketFailure.Refused => "refused",
        SocketFailure.TimedOut => "timeout",
        SocketFailure.Unreachable => "unreachable",
        SocketFailure.NoLocalPort => "no-local-port",
        SocketFailure.Reset => "reset",
        SocketFailure.LocalResources => "local-resources",
        SocketFailure.Aborted => "aborted",
        SocketFailure.None => "none",
        _ => "other",
    };
}
