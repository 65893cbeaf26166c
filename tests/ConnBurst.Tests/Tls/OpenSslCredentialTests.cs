using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tls;
using ConnBurst.Tls.OpenSsl;

namespace ConnBurst.Tests.Tls;

/// <summary>The chain an identity is sent with, built once from the trust store as libssl's auto-chain builds it each handshake
/// (docs/DECISIONS.md, "Tls: a certificate's chain is built once").</summary>
public class OpenSslCredentialTests
{
    [Fact]
    public void TheChainIsEachIssuerFoundByNameUpToASelfSignedOne()
    {
        var m = TestPki.Manifest;
        var roots = TlsCertificates.Roots(m);
        var client = TlsCertificates.Client(m).Certificate;
        var chain = OpenSslCredential.IssuersOf(client, roots);
        Assert.Equal([roots[0].Thumbprint], chain.Select(c => c.Thumbprint));
        Assert.Empty(OpenSslCredential.IssuersOf(roots[0], roots)); // a root is sent alone
        Assert.Empty(OpenSslCredential.IssuersOf(TlsCertificates.Client(TestPki.ForeignCa).Certificate, roots));
    }
}
