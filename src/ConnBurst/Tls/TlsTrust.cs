using System.Security.Cryptography.X509Certificates;

namespace ConnBurst.Tls;

/// <summary>
/// The one way peers are checked: an <see cref="X509ChainPolicy"/> in CustomRootTrust mode over the benchmark CA, built once
/// and shared by every handshake. Never the system trust store: on this machine that costs about 1 ms of CPU per handshake
/// per side (X509_NAME_cmp and sorting inside OpenSSL). Revocation is ours (<see cref="CrlSet"/>), not the chain engine's.
/// </summary>
internal static class TlsTrust
{
    public static X509ChainPolicy CustomRootPolicy(X509Certificate2Collection roots, X509Certificate2Collection? intermediates = null)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
            VerificationTimeIgnored = true,
        };
        policy.CustomTrustStore.AddRange(roots);
        if (intermediates is not null) policy.ExtraStore.AddRange(intermediates);
        return policy;
    }
}
