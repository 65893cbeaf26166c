namespace ConnBurst.Tls.OpenSsl;

/// <summary>
/// The one place a libssl verify result (<c>X509_V_ERR_*</c>, from <c>SSL_get_verify_result</c>) becomes a
/// <see cref="PeerRefusal"/>, so the native server counts refusals under the same reasons as the SslStream path
/// (<see cref="PeerValidator"/>). OpenSSL stops at the first error and builds the chain before it checks dates, so
/// "wrong CA" wins over "expired" here as it does there.
/// </summary>
internal static class OpenSslVerifyErrors
{
    public const int Ok = 0;
    public const int UnableToGetIssuerCert = 2;
    public const int CertSignatureFailure = 7;
    public const int CertNotYetValid = 9;
    public const int CertHasExpired = 10;
    public const int DepthZeroSelfSignedCert = 18;
    public const int SelfSignedCertInChain = 19;
    public const int UnableToGetIssuerCertLocally = 20;
    public const int UnableToVerifyLeafSignature = 21;
    public const int CertRevoked = 23;
    public const int CertUntrusted = 27;
    public const int CertRejected = 28;
    /// <summary>Our own callback failed (it never should); the peer is refused, as "invalid".</summary>
    public const int ApplicationVerification = 50;

    public static PeerRefusal ToRefusal(long verifyResult) => verifyResult switch
    {
        Ok => PeerRefusal.None,
        UnableToGetIssuerCert or UnableToGetIssuerCertLocally or UnableToVerifyLeafSignature or DepthZeroSelfSignedCert
            or SelfSignedCertInChain or CertSignatureFailure or CertUntrusted or CertRejected => PeerRefusal.WrongCa,
        CertNotYetValid => PeerRefusal.NotYetValid,
        CertHasExpired => PeerRefusal.Expired,
        CertRevoked => PeerRefusal.Revoked,
        _ => PeerRefusal.Invalid,
    };
}
