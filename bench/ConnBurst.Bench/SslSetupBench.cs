using System.Diagnostics;
using ConnBurst.Pki;
using ConnBurst.Tls;
using ConnBurst.Tls.OpenSsl;

using ConnBurst.Interop;

namespace ConnBurst.Bench;

/// <summary>
/// <c>ssl-setup [COUNT]</c>: what the native client engine pays per connection before any byte moves: SSL_new and
/// SSL_free alone, and with the client identity put on the connection (SSL_use_certificate + SSL_use_PrivateKey).
/// Runs on a fresh PKI; medians of 5 rounds, microseconds per connection.
/// </summary>
public static class SslSetupBench
{
    public static int Run(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 20_000;
        var temp = Path.Combine(Path.GetTempPath(), "connburst-sslsetup-" + Environment.ProcessId);
        try
        {
            var m = PkiGenerator.Generate(new PkiOptions { OutDir = temp, Revoked = 10, Force = true });
            using var context = new OpenSslClientContext(TlsOptions.Default, TlsCertificates.Roots(m));
            using var identity = new OpenSslCredential(TlsCertificates.Client(m));
            double Median(bool withIdentity)
            {
                var rounds = new List<double>();
                for (int r = 0; r < 5; r++)
                {
                    var sw = Stopwatch.StartNew();
                    for (int i = 0; i < count; i++)
                    {
                        var ssl = LibSsl.New(context.Handle);
                        if (withIdentity) identity.ApplyTo(ssl);
                        LibSsl.Free(ssl);
                    }
                    rounds.Add(sw.Elapsed.TotalMicroseconds / count);
                }
                rounds.Sort();
                return rounds[2];
            }
            Median(true); // warm-up
            var bare = Median(false);
            var with = Median(true);
            Console.WriteLine(
                $"SSL_new + SSL_free: {bare:0.0} us; with the identity applied: {with:0.0} us (+{with - bare:0.0} us per connection)");
            return 0;
        }
        finally
        {
            try { Directory.Delete(temp, true); } catch (IOException) { }
        }
    }
}
