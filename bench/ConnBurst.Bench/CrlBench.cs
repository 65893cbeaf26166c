using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using ConnBurst.Pki;
using ConnBurst.Tls;

namespace ConnBurst.Bench;

/// <summary>
/// <c>crl [PKI_DIR] [LOOKUPS]</c>: what the CRL costs. Load (parse + signature check) of the PKI's CRL once, then the
/// per-handshake check (<see cref="CrlSet.IsRevoked"/>: issuer compare + serial hash lookup) for a good and a revoked client.
/// Without PKI_DIR a fresh PKI with a 10,000-serial CRL is generated in a temp directory.
/// </summary>
public static class CrlBench
{
    public static int Run(string[] args)
    {
        string? temp = null;
        PkiManifest m;
        if (args.Length > 0)
        {
            m = PkiManifest.Load(args[0]);
        }
        else
        {
            temp = Path.Combine(Path.GetTempPath(), "connburst-crlbench-" + Environment.ProcessId);
            m = PkiGenerator.Generate(new PkiOptions { OutDir = temp, Revoked = 10_000, Force = true });
        }
        var lookups = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2_000_000;
        try
        {
            var issuer = TlsCertificates.Issuer(m);
            var loadSw = Stopwatch.StartNew();
            var crl = CrlSet.Load(m.PathOf(m.Crl), issuer);
            var loadMs = loadSw.Elapsed.TotalMilliseconds;
            var good = TlsCertificates.Client(m).Certificate;
            var revoked = X509Certificate2.CreateFromPem(File.ReadAllText(m.PathOf(m.Revoked[0].Cert)));
            if (crl.IsRevoked(good) || !crl.IsRevoked(revoked)) throw new InvalidOperationException("CRL answers are wrong");

            Console.WriteLine($"CRL: {crl.Count} serials, loaded and signature-checked in {loadMs:0.0} ms (once, at start or on change)");
            foreach (var (name, cert) in new[] { ("good client", good), ("revoked client", revoked) })
            {
                for (int i = 0; i < 10_000; i++) crl.IsRevoked(cert); // warm up
                var best = double.MaxValue;
                for (int round = 0; round < 5; round++)
                {
                    var sw = Stopwatch.StartNew();
                    for (int i = 0; i < lookups / 5; i++) crl.IsRevoked(cert);
                    best = Math.Min(best, sw.Elapsed.TotalMilliseconds * 1e6 / (lookups / 5));
                }
                Console.WriteLine(
                    $"IsRevoked({name}): {best:0} ns per check = {best / 1e6:0.000000} ms per connect (best of 5 rounds of " +
                    $"{lookups / 5:N0})");
            }
            return 0;
        }
        finally
        {
            if (temp is not null) Directory.Delete(temp, true);
        }
    }
}
