using System.Net.Security;
using ConnBurst.Common;
using ConnBurst.Tls;

namespace ConnBurst.Tests.Tls;

public class TlsOptionsTests
{
    [Theory]
    [InlineData("1.2", TlsProtocol.Tls12)]
    [InlineData("1.3", TlsProtocol.Tls13)]
    [InlineData("any", TlsProtocol.Any)]
    public void ProtocolNamesParse(string text, TlsProtocol expected) => Assert.Equal(expected, TlsOptions.Create(text).Protocol);

    [Fact]
    public void UnknownVersionIsAClearInputError()
    {
        var e = Assert.Throws<InputException>(() => TlsOptions.Create("1.1"));
        Assert.Contains("'1.1' is not a TLS version", e.Message);
    }

    [Fact]
    public void OpenSslAndIanaCipherNamesMapToTheSameSuite()
    {
        var a = TlsOptions.Create("1.2", "ECDHE-RSA-AES256-GCM-SHA384");
        var b = TlsOptions.Create("1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        Assert.Equal(a.Ciphers, b.Ciphers);
        Assert.NotNull(a.BuildCipherPolicy());
        Assert.Null(TlsOptions.Create("1.2").BuildCipherPolicy());
    }

    [Fact]
    public void UnknownCipherIsNamedInTheError()
    {
        var e = Assert.Throws<InputException>(() => TlsOptions.Create("1.3", "TLS_AES_256_GCM_SHA384,NOT-A-CIPHER"));
        Assert.Contains("'NOT-A-CIPHER'", e.Message);
    }

    [Fact]
    public void CipherOfTheWrongVersionIsRefused()
    {
        Assert.Throws<InputException>(() => TlsOptions.Create("1.2", "TLS_AES_256_GCM_SHA384"));
        Assert.Throws<InputException>(() => TlsOptions.Create("1.3", "ECDHE-RSA-AES256-GCM-SHA384"));
        Assert.Equal(2, TlsOptions.Create("any", "TLS_AES_256_GCM_SHA384:ECDHE-RSA-AES256-GCM-SHA384").Ciphers.Count);
    }

    [Fact]
    public void NumericCipherNamesAreRefused() => Assert.Throws<InputException>(() => TlsCipherSuites.Parse("49200"));

    [Fact]
    public void DefaultIsTls12WithoutResumption()
    {
        Assert.Equal(TlsProtocol.Tls12, TlsOptions.Default.Protocol);
        Assert.False(TlsOptions.Default.AllowResume);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls12, TlsOptions.Default.SslProtocols);
        _ = typeof(CipherSuitesPolicy);
    }
}
