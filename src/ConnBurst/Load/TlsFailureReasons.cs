using System.Security.Authentication;
using System.Text.RegularExpressions;

namespace ConnBurst.Load;

/// <summary>
/// Sorts a failed handshake into a reason for the results: the TLS alert the server sent ("tls-alert-certificate-revoked",
/// "tls-alert-unknown-ca"), our refusal of the server's certificate, or the connection closing mid-handshake. Runs only
/// on failures, so reading OpenSSL's error text here costs nothing on the path of a successful connect.
/// </summary>
internal static partial class TlsFailureReasons
{
    [GeneratedRegex(@"alert ([a-z ]+?)(?:\s*$|[:(,])", RegexOptions.IgnoreCase)]
    private static partial Regex AlertPattern();

    /// <summary>A TLS 1.3 server that closed (close_notify) right after our handshake, before a ticket or data: it refused us
    /// without saying why.</summary>
    public const string ClosedAfterHandshake = "tls-closed-after-handshake";

    public static string Classify(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            var m = AlertPattern().Match(x.Message);
            if (m.Success) return "tls-alert-" + m.Groups[1].Value.Trim().Replace(' ', '-').ToLowerInvariant();
        }
        if (e is AuthenticationException a && a.Message.Contains("remote certificate", StringComparison.OrdinalIgnoreCase))
            return "tls-server-cert-rejected";
        if (e is Tls.OpenSsl.OpenSslTlsException { ServerCertificateRejected: true }) return "tls-server-cert-rejected";
        if (e is Tls.OpenSsl.OpenSslTlsException { EndOfStream: true }) return "tls-eof";
        // Below TLS: the socket was reset or closed while the handshake waited for the server.
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is System.Net.Sockets.SocketException se)
                return "tls-" + Transport.SocketFailures.Reason(Transport.SocketFailures.Classify(se.SocketErrorCode));
        }
        for (var x = e; x is not null; x = x.InnerException)
            if (x is IOException && x.Message.Contains("EOF", StringComparison.OrdinalIgnoreCase)) return "tls-eof";
        return e is AuthenticationException ? "tls-handshake" : e is IOException ? "tls-closed" : "tls-other";
    }

    /// <summary>True when an exception from a read after the handshake is the server refusing us at the TLS layer (TLS 1.3 client-cert
    /// alerts arrive late).</summary>
    public static bool IsTlsAlert(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (AlertPattern().IsMatch(x.Message)) return true;
        return false;
    }
}
