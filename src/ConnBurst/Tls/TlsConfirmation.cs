namespace ConnBurst.Tls;

/// <summary>What a TLS 1.3 server said after the client's handshake ended (<see cref="ITlsClientConnection.ConfirmAsync"/>).</summary>
internal enum TlsVerdict
{
    /// <summary>A session ticket or data came: the server accepted the client (or the protocol is TLS 1.2, whose handshake says
    /// so).</summary>
    Accepted,
    /// <summary>An alert or a close came: the server refused the client.</summary>
    Refused,
    /// <summary>Nothing came within the bound: the server's verdict is unknown.</summary>
    Unconfirmed,
}

/// <param name="Refusal">With <see cref="TlsVerdict.Refused"/>: the alert or error read, or null for a close without one.</param>
internal readonly record struct TlsConfirmation(TlsVerdict Verdict, Exception? Refusal = null)
{
    public static TlsConfirmation Accepted => new(TlsVerdict.Accepted);
    public static TlsConfirmation Unconfirmed => new(TlsVerdict.Unconfirmed);
}
