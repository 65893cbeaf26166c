using ConnBurst.Tls;
using ConnBurst.Tls.OpenSsl;

namespace ConnBurst.Tests.Tls;

/// <summary>
/// Building a native TLS context registers libcrypto's built-in RSA method for the process (docs/DECISIONS.md, "Tls: RSA keys
/// bypass OpenSSL 3.0's key decoders"); that handshakes still check everything they did is the handshake and interop
/// tests' job, which run with it registered.
/// </summary>
public class RsaKeyMethodTests
{
    [Fact]
    public void ANativeContextMakesLibcryptoTakeRsaKeysThroughTheBuiltInMethod()
    {
        using (new OpenSslClientContext(new TlsOptions(), trustRoots: null, insecure: true)) { }
        Assert.True(RsaKeyMethod.IsActive);
    }
}
