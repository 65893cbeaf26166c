using System.Diagnostics;
using System.Text.RegularExpressions;
using ConnBurst.Pki;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Pki;

/// <summary>The generated PKI checked by an independent verifier: the real openssl CLI.</summary>
public sealed class CertsCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void OpensslVerifiesTheGoodClientWithAndWithoutCrlCheck()
    {
        var m = TestPki.Manifest;
        Assert.Equal(0, Openssl(m.Directory, "verify", "-CAfile", m.Ca.Cert, m.Client.Cert).Code);
        var r = Openssl(m.Directory, "verify", "-crl_check", "-CRLfile", m.Crl, "-CAfile", m.Ca.Cert, m.Client.Cert);
        Assert.True(r.Code == 0, r.Output);
        Assert.Contains(": OK", r.Output);
    }

    [Fact]
    public void OpensslRejectsEveryRevokedCertWithCrlCheck()
    {
        var m = TestPki.Manifest;
        Assert.Equal(3, m.Revoked.Count);
        foreach (var revoked in m.Revoked)
        {
            Assert.Equal(0, Openssl(m.Directory, "verify", "-CAfile", m.Ca.Cert, revoked.Cert).Code);
            var r = Openssl(m.Directory, "verify", "-crl_check", "-CRLfile", m.Crl, "-CAfile", m.Ca.Cert, revoked.Cert);
            Assert.NotEqual(0, r.Code);
            Assert.Contains("certificate revoked", r.Output);
        }
    }

    [Fact]
    public void CrlListsExactlyTheRequestedNumberOfSerials()
    {
        var m = TestPki.Manifest;
        var r = Openssl(m.Directory, "crl", "-in", m.Crl, "-noout", "-text");
        Assert.Equal(0, r.Code);
        Assert.Equal(10_000, Regex.Matches(r.Output, "Serial Number:").Count);
        Assert.Equal(10_000, m.RevokedCount);
        // The CRL's signature verifies against the issuing CA.
        Assert.Contains("verify OK", Openssl(m.Directory, "crl", "-in", m.Crl, "-noout", "-CAfile", m.Ca.Cert).Output);
    }

    [Fact]
    public void ExpiredClientIsRejectedAsExpired()
    {
        var m = TestPki.Manifest;
        var r = Openssl(m.Directory, "verify", "-CAfile", m.Ca.Cert, m.Expired!.Cert);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("certificate has expired", r.Output);
    }

    [Fact]
    public void ServerCertCarriesTheRequestedNamesAndVerifiesForThem()
    {
        var m = TestPki.Manifest;
        var r = Openssl(m.Directory, "verify", "-CAfile", m.Ca.Cert, "-verify_hostname", "localhost", "-purpose", "sslserver",
            m.Server.Cert);
        Assert.True(r.Code == 0, r.Output);
        Assert.Equal(0, Openssl(m.Directory, "verify", "-CAfile", m.Ca.Cert, "-verify_ip", "127.0.0.1", m.Server.Cert).Code);
        Assert.NotEqual(0, Openssl(m.Directory, "verify", "-CAfile", m.Ca.Cert, "-verify_hostname", "example.org", m.Server.Cert).Code);
    }

    [Fact]
    public void PrivateKeysAreWrittenOwnerOnly()
    {
        var m = TestPki.Manifest;
        foreach (var key in new[] { m.Ca.Key, m.Server.Key, m.Client.Key, m.Revoked[0].Key })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(m.PathOf(key)));
    }

    [Fact]
    public async Task PerClientCertsWithIntermediateAndEcdsaVerifyThroughTheChain()
    {
        using var tmp = new TempDir();
        var r = await CliProcess.RunAsync(Timeout, "certs", "--out", tmp.Combine("pki"), "--key", "ecdsa-p256", "--clients", "20",
            "--revoked", "50", "--intermediate");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.EndsWith("manifest.json", r.LastLine);
        var m = PkiManifest.Load(tmp.Combine("pki"));
        Assert.Equal("ecdsa-p256", m.KeyType);
        Assert.Equal(20, m.Clients!.Count);
        Assert.Equal(20, m.Clients.Select(c => File.ReadAllText(m.PathOf(c.Cert))).Distinct().Count());
        foreach (var c in m.Clients.Take(3).Append(m.Client))
        {
            var v = Openssl(m.Directory, "verify", "-crl_check", "-CRLfile", m.Crl, "-CAfile", m.Ca.Cert, "-untrusted", m.Issuer.Cert,
                c.Cert);
            Assert.True(v.Code == 0, v.Output);
        }
        var revoked = Openssl(m.Directory, "verify", "-crl_check", "-CRLfile", m.Crl, "-CAfile", m.Ca.Cert, "-untrusted", m.Issuer.Cert,
            m.Revoked[0].Cert);
        Assert.Contains("certificate revoked", revoked.Output);
    }

    [Fact]
    public async Task ExistingDirectoryIsRefusedWithoutForceAndReplacedWholeWithIt()
    {
        using var tmp = new TempDir();
        var dir = tmp.Combine("pki");
        Assert.Equal(0, (await CliProcess.RunAsync(Timeout, "certs", "--out", dir, "--revoked", "5")).ExitCode);
        var firstCa = File.ReadAllText(Path.Combine(dir, "ca.pem"));

        var refused = await CliProcess.RunAsync(Timeout, "certs", "--out", dir, "--revoked", "7");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--force", refused.Stderr);
        Assert.Equal(firstCa, File.ReadAllText(Path.Combine(dir, "ca.pem")));

        var forced = await CliProcess.RunAsync(Timeout, "certs", "--out", dir, "--revoked", "7", "--force");
        Assert.Equal(0, forced.ExitCode);
        Assert.NotEqual(firstCa, File.ReadAllText(Path.Combine(dir, "ca.pem")));
        Assert.Equal(7, PkiManifest.Load(dir).RevokedCount);
        Assert.Equal([dir], Directory.GetDirectories(tmp.Path));
    }

    [Theory]
    [InlineData("unknown key type", "--key", "dsa1024")]
    [InlineData("--revoked", "--revoked", "-1")]
    [InlineData("--days", "--days", "0")]
    public async Task BadOptionsGetOneLineErrorAndExitTwo(string expected, params string[] extra)
    {
        using var tmp = new TempDir();
        var r = await CliProcess.RunAsync(Timeout, ["certs", "--out", tmp.Combine("x"), .. extra]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        AssertOneLineNoTrace(r.Stderr);
    }

    [Fact]
    public async Task UnwritableOutputDirectoryGetsOneLineError()
    {
        var r = await CliProcess.RunAsync(Timeout, "certs", "--out", "/proc/connburst-cannot-write/pki");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("cannot write", r.Stderr);
        AssertOneLineNoTrace(r.Stderr);
    }

    [Fact]
    public async Task HelpDescribesEveryOption()
    {
        var r = await CliProcess.RunAsync(Timeout, "certs", "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var o in new[] { "--out", "--key", "--revoked", "--clients", "--server-names", "--days", "--expired", "--force",
            "--intermediate" })
        {
            Assert.Contains(o, r.Stdout);
        }
        var root = await CliProcess.RunAsync(Timeout, "--help");
        Assert.Contains("certs", root.Stdout);
    }

    internal static void AssertOneLineNoTrace(string stderr)
    {
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("Exception", stderr);
    }

    internal static (int Code, string Output) Openssl(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = workingDirectory };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000)) { p.Kill(); throw new TimeoutException("openssl " + string.Join(' ', args)); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
