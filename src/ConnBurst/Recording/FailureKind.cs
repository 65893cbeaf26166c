namespace ConnBurst.Recording;

/// <summary>The families a failed attempt is counted under (each failure also has a precise reason string).</summary>
internal enum FailureKind
{
    /// <summary>TCP connect failed: refused, unreachable, no free local port, reset.</summary>
    Tcp,
    /// <summary>TLS handshake failed: an alert from the server, a certificate we refused, a closed connection mid-handshake.</summary>
    Tls,
    /// <summary>The server answered CONNECT with a CONNACK reason code of 0x80 or above.</summary>
    ConnackRefused,
    /// <summary>The attempt did not reach CONNACK within the connect timeout.</summary>
    Timeout,
    /// <summary>Anything else: a malformed reply, the connection closed before CONNACK.</summary>
    Protocol,
}

internal static class FailureKinds
{
    public static string Name(this FailureKind k) => k switch
    {
        FailureKind.Tcp => "tcpFailed",
        FailureKind.Tls => "tlsFailed",
        FailureKind.ConnackRefused => "connackRefused",
        FailureKind.Timeout => "timedOut",
        FailureKind.Protocol => "protocolFailed",
        _ => k.ToString(),
    };
}
