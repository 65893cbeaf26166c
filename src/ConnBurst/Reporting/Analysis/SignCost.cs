using System.Globalization;
using System.Security.Cryptography;
using ConnBurst.Monitor.Proc;

namespace ConnBurst.Reporting.Analysis;

/// <summary>
/// What one server-side private-key operation costs on this machine with each key type the PKI offers: an RSA-2048 and an
/// ECDSA P-256 signature of a SHA-256 digest (what a TLS server's CertificateVerify or ServerKeyExchange signs), through
/// .NET's OpenSSL backend, i.e. libcrypto. Measured on the spot, rounds of each alternating so a neighbour's load on a
/// shared machine falls on both; the figure is the median round, in CPU time of the measuring thread (wall time where the
/// thread clock is unavailable).
/// </summary>
internal sealed record SignCost(double RsaMicros, double EcdsaMicros, int Rounds)
{
    public double Ratio => EcdsaMicros > 0 ? RsaMicros / EcdsaMicros : double.NaN;

    public string Text => string.Create(CultureInfo.InvariantCulture,
        $"one sign costs {RsaMicros:0} µs with RSA-2048 and {EcdsaMicros:0.0} µs with ECDSA P-256 ({Ratio:0.#}x), measured now on this " +
        $"machine through libcrypto (median of {Rounds} alternating rounds)");

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
            var rsaRounds = new double[rounds];
            var ecdsaRounds = new double[rounds];
            for (var r = 0; r < rounds; r++)
            {
                rsaRounds[r] = MicrosEach(rsaSigns, () => rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
                ecdsaRounds[r] = MicrosEach(ecdsaSigns, () => ecdsa.SignHash(digest));
            }
            return new SignCost(Median(rsaRounds), Median(ecdsaRounds), rounds);
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

    private static double MicrosEach(int count, Func<byte[]> sign)
    {
        var cpu = Native.ThreadCpuSeconds();
        var wall = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++) sign();
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
