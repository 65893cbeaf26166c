using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ConnBurst.Pki;

namespace ConnBurst.Tls;

/// <summary>
/// Everything a TLS client needs, built ONCE: the client certificate context (private key decoded once,
/// <see cref="SslClientAuthenticationOptions.ClientCertificateContext"/>), and a CustomRootTrust chain policy over the
/// benchmark CA, inside one shared <see cref="SslClientAuthenticationOptions"/>. Pass it to
/// <c>AuthenticateAsClientAsync(factory.Options, ct)</c>; SslStream copies what it needs, so one instance serves every connection.
/// </summary>
public sealed class TlsClientFactory
{
    public TlsOptions Tls { get; }
    public string TargetHost { get; }
    public bool Insecure { get; }
    public X509Certificate2? ClientCertificate { get; }

    /// <summary>Shared by every connection; do not mutate after construction.</summary>
    public SslClientAuthenticationOptions Options { get; }

    /// <param name="trustRoots">The CA(s) the server must chain to; ignored when <paramref name="insecure"/>.</param>
    /// <param name="client">The certificate to present, or null for none.</param>
    /// <param name="insecure">Accept any server certificate (chat's <c>--insecure</c>; callers print a warning).</param>
    public TlsClientFactory(TlsOptions tls, string targetHost, X509Certificate2Collection? trustRoots, CertificateWithChain? client, bool insecure = false)
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
            ClientCertificateContext = client is null ? null
                : SslStreamCertificateContext.Create(client.Certificate, client.Intermediates, offline: true),
            CertificateChainPolicy = insecure ? null : TlsTrust.CustomRootPolicy(trustRoots!),
            AllowTlsResume = tls.AllowResume,
            AllowRenegotiation = false,
            // With a custom-root policy SslStream's own verdict is right (errors == None), so no callback unless insecure.
            RemoteCertificateValidationCallback = insecure ? static (_, _, _, _) => true : null,
        };
    }

    /// <summary>A client of a manifest's server: trusts its CA and presents its shared client certificate (or <paramref name="client"/>).</summary>
    public static TlsClientFactory FromManifest(PkiManifest m, TlsOptions tls, string targetHost = "localhost", CertificateWithChain? client = null) =>
        new(tls, targetHost, TlsCertificates.Roots(m), client ?? TlsCertificates.Client(m));
}
