using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ConnBurst.Pki;
using ConnBurst.Tls.OpenSsl;

namespace ConnBurst.Tls;

/// <summary>
/// Everything a TLS server needs, built ONCE: the <see cref="SslStreamCertificateContext"/> (so no handshake re-builds the
/// server chain), the CustomRootTrust chain policy, the CRL set and the peer validator, all inside one shared
/// <see cref="SslServerAuthenticationOptions"/> (SslStream copies what it needs per handshake). With
/// <see cref="TlsEngine.OpenSsl"/> it also builds the one native <see cref="OpenSslServerContext"/> (same certificates,
/// trust, CRL set and options), and <see cref="NewConnection"/> runs connections on it. Knows nothing of MQTT or chat.
/// </summary>
internal sealed class TlsServerFactory : IDisposable
{
    public TlsOptions Tls { get; }
    public ClientCertMode ClientCerts { get; }
    public CrlSet? Crl { get; }
    public PeerValidator Validator { get; }
    public X509Certificate2 ServerCertificate { get; }
    public TlsEngine Engine { get; }
    private readonly OpenSslServerContext? _openSsl;

    /// <summary>Shared by every handshake; do not mutate after construction.</summary>
    public SslServerAuthenticationOptions Options { get; }

    public TlsServerFactory(TlsOptions tls, CertificateWithChain server, X509Certificate2Collection trustRoots,
        ClientCertMode clientCerts, CrlSet? crl, X509Certificate2Collection? clientIntermediates = null,
            TlsEngine engine = TlsEngine.SslStream)
    {
        Tls = tls;
        Engine = engine;
        ClientCerts = clientCerts;
        Crl = crl;
        ServerCertificate = server.Certificate;
        Validator = new PeerValidator(crl, clientCerts == ClientCertMode.Required);
        var validator = Validator;
        Options = new SslServerAuthenticationOptions
        {
            // offline: the benchmark PKI has no AIA/OCSP endpoints, and nothing may be fetched at start-up.
            ServerCertificateContext = SslStreamCertificateContext.Create(server.Certificate, server.Intermediates, offline: true),
            EnabledSslProtocols = tls.SslProtocols,
            CipherSuitesPolicy = tls.BuildCipherPolicy(),
            ClientCertificateRequired = true, // "optional" still asks, so that a bad certificate is refused, not ignored
            CertificateChainPolicy = TlsTrust.CustomRootPolicy(trustRoots, clientIntermediates),
            AllowTlsResume = tls.AllowResume,
            AllowRenegotiation = false,
            RemoteCertificateValidationCallback = (sender, cert, chain, errors) =>
            {
                var refusal = validator.Validate(cert, chain, errors);
                if (sender is PeerCheckedSslStream s)
                {
                    s.Refusal = refusal;
                    s.PeerChecked = true;
                }
                return refusal == PeerRefusal.None;
            },
        };
        if (engine == TlsEngine.OpenSsl)
            _openSsl = new OpenSslServerContext(tls, server, trustRoots, clientCerts, crl, clientIntermediates);
    }

    /// <summary>
    /// The server side of a manifest: its server certificate, its CA as the only trust root, and its CRL (verified against
    /// the issuer; a bad CRL is an InputException). <paramref name="log"/> receives CRL reload messages.
    /// </summary>
    public static TlsServerFactory FromManifest(PkiManifest m, TlsOptions tls, ClientCertMode clientCerts, Action<string>? log = null,
        TlsEngine engine = TlsEngine.SslStream)
    {
        var server = TlsCertificates.Server(m);
        var roots = TlsCertificates.Roots(m);
        var issuer = TlsCertificates.Issuer(m);
        var crl = CrlSet.Load(m.PathOf(m.Crl), issuer, log);
        var intermediates = m.Issuer == m.Ca ? null : new X509Certificate2Collection(issuer);
        return new TlsServerFactory(tls, server, roots, clientCerts, crl, intermediates, engine);
    }

    /// <summary>The server side of one accepted connection (which it then owns), on this factory's engine.</summary>
    public ITlsServerConnection NewConnection(Socket accepted) => _openSsl is null
        ? new SslStreamServerConnection(accepted, Options)
        : new OpenSslServerConnection(_openSsl, accepted);

    /// <summary>A stream to call <c>AuthenticateAsServerAsync(Options, ct)</c> on.</summary>
    public PeerCheckedSslStream NewStream(Stream inner) => new(inner);

    /// <summary>Frees the native context (connections still open keep their own reference to it).</summary>
    public void Dispose() => _openSsl?.Dispose();
}
