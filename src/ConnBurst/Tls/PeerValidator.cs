using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ConnBurst.Tls;

/// <summary>
/// Sorts the outcome of SslStream's chain check (built with our CustomRootTrust policy, never the system store) plus the
/// CRL lookup into one <see cref="PeerRefusal"/>. Pure and thread-safe: one instance serves every handshake.
/// </summary>
internal sealed class PeerValidator(CrlSet? crl, bool certificateRequired, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public CrlSet? Crl => crl;
    public bool CertificateRequired => certificateRequired;

    public PeerRefusal Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            return certificateRequired ? PeerRefusal.NoCert : PeerRefusal.None;

        // SslStream hands us an X509Certificate2 on every platform since .NET 5; the fallback copy is for safety only.
        var cert = certificate as X509Certificate2 ?? new X509Certificate2(certificate);

        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            var refusal = FromChain(cert, chain);
            if (refusal != PeerRefusal.None) return refusal;
        }
        else if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return PeerRefusal.Invalid;
        }

        // Revocation after trust: a revoked serial is only meaningful for a certificate our CA issued.
        if (crl is not null && crl.IsRevoked(cert)) return PeerRefusal.Revoked;
        return PeerRefusal.None;
    }

    private PeerRefusal FromChain(X509Certificate2 cert, X509Chain? chain)
    {
        var flags = X509ChainStatusFlags.NoError;
        if (chain is not null)
            foreach (var s in chain.ChainStatus) flags |= s.Status;
        if (flags == X509ChainStatusFlags.NoError) return PeerRefusal.Invalid; // errors reported, no detail: refuse anyway

        // Trust first: a certificate from another CA is "wrong-ca" even if it is also expired.
        const X509ChainStatusFlags untrusted = X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain
            | X509ChainStatusFlags.NotSignatureValid | X509ChainStatusFlags.ExplicitDistrust;
        if ((flags & untrusted) != 0) return PeerRefusal.WrongCa;
        if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
            return _clock.GetUtcNow().UtcDateTime < cert.NotBefore.ToUniversalTime() ? PeerRefusal.NotYetValid : PeerRefusal.Expired;
        if ((flags & X509ChainStatusFlags.Revoked) != 0) return PeerRefusal.Revoked;
        // RevocationStatusUnknown/OfflineRevocation cannot occur with RevocationMode.NoCheck; anything else is a defect.
        return PeerRefusal.Invalid;
    }
}
