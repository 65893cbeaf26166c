using System.Net.Security;

namespace ConnBurst.Tls;

/// <summary>
/// An SslStream that remembers why its peer was refused, so a failed handshake is counted by reason instead of by the
/// AuthenticationException text. The shared validation callback receives the stream as <c>sender</c> and writes here:
/// no per-connection delegate or lookup table.
/// </summary>
internal sealed class PeerCheckedSslStream(Stream inner, bool leaveInnerStreamOpen = false) : SslStream(inner, leaveInnerStreamOpen)
{
    /// <summary>The verdict of the last certificate check; <see cref="PeerRefusal.None"/> until then or when accepted.</summary>
    public PeerRefusal Refusal { get; internal set; }

    /// <summary>True once the validation callback ran (distinguishes "refused" from "never got that far").</summary>
    public bool PeerChecked { get; internal set; }
}
