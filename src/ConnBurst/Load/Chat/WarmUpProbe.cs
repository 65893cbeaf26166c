using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace ConnBurst.Load.Chat;

/// <summary>
/// One connection before the measured ones, not recorded: TCP, the TLS handshake, QUIT. It turns "the server cannot be
/// reached" or "the TLS handshake fails" into one clear message instead of CLIENTS identical failures, and it warms
/// both sides (JIT, OpenSSL's first use) so the first measured handshakes do not carry one-time start-up costs.
/// </summary>
internal static class WarmUpProbe
{
    public enum Outcome { Ok, Unreachable, TlsFailed }

    public static async Task<(Outcome Outcome, string Detail)> RunAsync(IPEndPoint endpoint, SslClientAuthenticationOptions tls,
        TimeSpan timeout, CancellationToken ct)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try { await socket.ConnectAsync(endpoint, cts.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return (Outcome.Unreachable,
            $"no answer within {Common.Durations.Format(timeout)}"); }
        catch (SocketException e) { return (Outcome.Unreachable,
            e.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : e.Message); }

        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
        try
        {
            await ssl.AuthenticateAsClientAsync(tls, cts.Token).ConfigureAwait(false);
            await ssl.WriteAsync("QUIT\n"u8.ToArray(), cts.Token).ConfigureAwait(false);
            var buffer = new byte[256];
            while (await ssl.ReadAsync(buffer, cts.Token).ConfigureAwait(false) > 0) { } // until the server closes after BYE
            return (Outcome.Ok, ssl.SslProtocol.ToString());
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return (Outcome.TlsFailed,
            $"no TLS handshake within {Common.Durations.Format(timeout)}"); }
        catch (AuthenticationException e) { return (Outcome.TlsFailed, e.InnerException?.Message ?? e.Message); }
        catch (IOException e) { return (Outcome.TlsFailed, e.Message); }
    }
}
