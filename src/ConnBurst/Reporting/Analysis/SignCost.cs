using System.Globalization;
using System.Security.Cryptography;
using ConnBurst.Monitor.Proc;

namespace ConnBurst.Reporting.Analysis;

/// <summary>
/// What one server-side private-key operation costs on this machine with each key type the PKI offers: an RSA-2048 and an
/// ECDSA P-256 signature of a SHA-256 digest (what a TLS server's CertificateVerify or ServerKeyExchange signs), and the
/// verify of one (what a mutual-TLS server does twice per connect: the client certificate's signature and the client's
/// CertificateVerify), through .NET's OpenSSL backend, i.e. libcrypto. Measured on the spot, rounds of each alternating so a neighbour's
/// load on a
/// shared machine falls on both; the figure is the median round, in CPU time of the measuring thread (wall time where the
/// thread clock is unavailable).
/// </summary>
internal sealed record SignCost(double RsaMicros, double EcdsaMicros, int Rounds, double RsaVerifyMicros = 0, double EcdsaVerifyMicros = 0)
{
    /// <summary>Signature checks a mutual-TLS server makes per full handshake: the client certificate's and its
    /// CertificateVerify.</summary>
    public const int ServerVerifiesPerConnect = 2;

    /// <summary>What moving the whole PKI from RSA-2048 to ECDSA P-256 changes in a mutual-TLS server's CPU per connect, ms:
    /// one sign cheaper, <see cref="ServerVerifiesPerConnect"/> verifies dearer.</summary>
    public double ServerDeltaMs => (EcdsaMicros - RsaMicros + ServerVerifiesPerConnect * (EcdsaVerifyMicros - RsaVerifyMicros)) / 1000;

    public double Ratio => EcdsaMicros > 0 ? RsaMicros / EcdsaMicros : double.NaN;

    public string Text => string.Create(CultureInfo.InvariantCulture,
        $"one sign costs {RsaMicros:0} µs with RSA-2048 and {EcdsaMicros:0.0} µs with ECDSA P-256 ({Ratio:0.#}x); one verify " +
        $"{RsaVerifyMicros:0.0} and {EcdsaVerifyMicros:0.0} µs; measured now on this machine through libcrypto (median of {Rounds} " +
        $"alternating rounds)");

    private static readonly Lazy<SignCost?> Here = new(() => Measure());

    /// <summary>This machine's figures, measured once per process (about a quarter of a second).</summary>
    public static SignCost? OnThisMachine() => Here.Value;

    public static SignCost? Measure(int rounds = 5, int rsaSigns = 20, int ecdsaSigns = 100)
    {
        try
        {
            using var rsa = RSA.Create(2048);
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var digest = SHA256.HashData("connburst sign cost"u8);
            rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pss); // first calls load and warm the code
            ecdsa.SignHash(digest);
            var rsaSignature = rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
            var ecdsaSignature = ecdsa.SignHash(digest);
            var rounds4 = new double[4][];
            for (var k = 0; k < 4; k++) rounds4[k] = new double[rounds];
            for (var r = 0; r < rounds; r++)
            {
                rounds4[0][r] = MicrosEach(rsaSigns, () => rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
                rounds4[1][r] = MicrosEach(ecdsaSigns, () => ecdsa.SignHash(digest));
                rounds4[2][r] = MicrosEach(ecdsaSigns, () => rsa.VerifyHash(digest, rsaSignature, HashAlgorithmName.SHA256,
                    RSASignaturePadding.Pss));
                rounds4[3][r] = MicrosEach(ecdsaSigns, () => ecdsa.VerifyHash(digest, ecdsaSignature));
            }
            return new SignCost(Median(rounds4[0]), Median(rounds4[1]), rounds, Median(rounds4[2]), Median(rounds4[3]));
        }
        catch (CryptographicException)
        {
            return null;
        }
        catch (PlatformNotSupportedException)
        {
            return null;
        }
    }

    private static double MicrosEach(int count, Func<byte[]> sign) => MicrosEach(count, () => { sign(); return true; });

    private static double MicrosEach(int count, Func<bool> operation)
    {
        var cpu = Native.ThreadCpuSeconds();
        var wall = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++) operation();
        var cpuSeconds = Native.ThreadCpuSeconds() - cpu;
        var seconds = double.IsNaN(cpuSeconds) ? System.Diagnostics.Stopwatch.GetElapsedTime(wall).TotalSeconds : cpuSeconds;
        return seconds * 1e6 / count;
    }

    private static double Median(double[] xs)
    {
        Array.Sort(xs);
        return xs.Length % 2 == 1 ? xs[xs.Length / 2] : (xs[xs.Length / 2 - 1] + xs[xs.Length / 2]) / 2;
    }
}
