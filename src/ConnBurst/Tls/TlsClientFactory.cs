using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ConnBurst.Pki;
using ConnBurst.Tls.OpenSsl;

namespace ConnBurst.Tls;

/// <summary>
/// Everything a TLS client needs, built ONCE: the client certificate context (private key decoded once,
/// <see cref="SslClientAuthenticationOptions.ClientCertificateContext"/>), and a CustomRootTrust chain policy over the
/// benchmark CA, inside one shared <see cref="SslClientAuthenticationOptions"/>. Pass it to
/// <c>AuthenticateAsClientAsync(factory.Options, ct)</c>; SslStream copies what it needs, so one instance serves every connection.
/// Given a shared <see cref="OpenSslClientContext"/>, <see cref="Open"/> runs connections on the native engine instead,
/// with this factory's identity parsed into OpenSSL objects once. Disposing it frees that native identity; the shared
/// context and the certificates passed in stay their owner's.
/// </summary>
internal sealed class TlsClientFactory : IDisposable
{
    public TlsOptions Tls { get; }
    public string TargetHost { get; }
    public bool Insecure { get; }
    public X509Certificate2? ClientCertificate { get; }

    /// <summary>Shared by every connection; do not mutate after construction.</summary>
    public SslClientAuthenticationOptions Options { get; }

    public TlsEngine Engine => _openSsl is null ? TlsEngine.SslStream : TlsEngine.OpenSsl;

    private readonly OpenSslClientContext? _openSsl;
    private readonly OpenSslCredential? _credential;

    /// <param name="trustRoots">The CA(s) the server must chain to; ignored when <paramref name="insecure"/>.</param>
    /// <param name="client">The certificate to present, or null for none.</param>
    /// <param name="insecure">Accept any server certificate (chat's <c>--insecure</c>; callers print a warning).</param>
    /// <param name="openSsl">The run's native context (same TLS options and trust), or null for SslStream.</param>
    public TlsClientFactory(TlsOptions tls, string targetHost, X509Certificate2Collection? trustRoots, CertificateWithChain? client,
        bool insecure = false, OpenSslClientContext? openSsl = null)
    {
        if (trustRoots is null && !insecure) throw new ArgumentException("trust roots are required unless insecure", nameof(trustRoots));
        Tls = tls;
        TargetHost = targetHost;
        Insecure = insecure;
        ClientCertificate = client?.Certificate;
        Options = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            EnabledSslProtocols = tls.SslProtocols,
            CipherSuitesPolicy = tls.BuildCipherPolicy(),
            ClientCertificateContext = client is null || openSsl is not null ? null
                : SslStreamCertificateContext.Create(client.Certificate, client.Intermediates, offline: true),
            CertificateChainPolicy = insecure ? null : TlsTrust.CustomRootPolicy(trustRoots!),
            AllowTlsResume = tls.AllowResume,
            AllowRenegotiation = false,
            ApplicationProtocols = tls.Alpn.Count == 0 ? null : [.. tls.Alpn.Select(p => new SslApplicationProtocol(p))],
            // With a custom-root policy SslStream's own verdict is right (errors == None), so no callback unless insecure.
            RemoteCertificateValidationCallback = insecure ? static (_, _, _, _) => true : null,
        };
        if (openSsl is not null)
        {
            if (openSsl.Tls != tls || openSsl.Insecure != insecure)
                throw new ArgumentException("the native context was built for other TLS options", nameof(openSsl));
            _openSsl = openSsl;
            _credential = client is null ? null : new OpenSslCredential(client, trustRoots);
        }
    }

    /// <summary>A client connection over <paramref name="connected"/> (which it then owns), on this factory's engine.</summary>
    public ITlsClientConnection Open(Socket connected) => _openSsl is null
        ? new SslStreamClientConnection(connected, Options)
        : new OpenSslClientConnection(_openSsl, connected, _credential, TargetHost);

    /// <summary>
    /// A native session over a non-blocking descriptor whose owner steps it (the generator's event loop); only on the
    /// OpenSSL engine. The caller keeps the descriptor.
    /// </summary>
    public OpenSslClientSession OpenSession(int fd) => _openSsl is null
        ? throw new InvalidOperationException("a session over a descriptor needs the OpenSSL engine")
        : new OpenSslClientSession(_openSsl, fd, _credential, TargetHost);

    public void Dispose() => _credential?.Dispose();

    /// <summary>A client of a manifest's server: trusts its CA and presents its shared client certificate (or
    /// <paramref name="client"/>).</summary>
    public static TlsClientFactory FromManifest(PkiManifest m, TlsOptions tls, string targetHost = "localhost",
        CertificateWithChain? client = null) =>
        new(tls, targetHost, TlsCertificates.Roots(m), client ?? TlsCertificates.Client(m));
}
