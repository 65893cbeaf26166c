using System.Net.Sockets;

using ConnBurst.Interop;

namespace ConnBurst.Tls.OpenSsl;

/// <summary>
/// A failed handshake, read or write of the native engine, with OpenSSL's error text ("... tlsv1 alert unknown ca"),
/// so failures sort into the same reasons as SslStream's (<c>TlsFailureReasons</c>). A socket error is the inner exception.
/// </summary>
internal sealed class OpenSslTlsException(string message, Exception? inner = null) : IOException(message, inner)
{
    /// <summary>We refused the server's certificate (wrong CA, name, dates).</summary>
    public bool ServerCertificateRejected { get; init; }

    /// <summary>The peer closed the connection in the middle of the handshake.</summary>
    public bool EndOfStream { get; init; }

    internal static OpenSslTlsException From(int sslError, int errno, nint ssl, string queue)
    {
        if (sslError == LibSsl.ErrorSyscall && errno != 0)
        {
            var error = ToSocketError(errno);
            return new($"TLS I/O failed: {error} ({System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)})",
                new SocketException((int)error));
        }
        if (sslError is LibSsl.ErrorZeroReturn or LibSsl.ErrorSyscall
            || queue.Contains("unexpected eof", StringComparison.OrdinalIgnoreCase))
        {
            return new("the peer closed the connection (EOF) during TLS") { EndOfStream = true };
        }
        var verify = LibSsl.GetVerifyResult(ssl);
        if (queue.Contains("certificate verify failed", StringComparison.OrdinalIgnoreCase) && verify != 0)
        {
            var why = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(LibCrypto.VerifyCertErrorString(verify));
            return new($"the remote certificate was rejected: {why}") { ServerCertificateRejected = true };
        }
        return new(queue.Length > 0 ? queue : $"TLS failed (SSL_get_error {sslError})");
    }

    /// <summary>A connected TCP socket's errno as .NET's SocketError, so a reset is "tls-reset" on both engines.</summary>
    internal static SocketError ToSocketError(int errno) => Transport.Errno.ToSocketError(errno);
}
