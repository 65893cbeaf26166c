using System.Diagnostics;
using ConnBurst.Pki;

namespace ConnBurst.Bench;

/// <summary>Wall time of <c>connburst certs</c>' work: the default PKI (10,000 revoked), and N per-client certs.</summary>
public static class PkiBench
{
    public static int Run(string[] args)
    {
        int runs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
        int clients = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        var root = Path.Combine(Path.GetTempPath(), "connburst-pki-bench-" + Environment.ProcessId);
        try
        {
            // One warm-up so JIT time is not counted against the first run.
            PkiGenerator.Generate(new PkiOptions { OutDir = Path.Combine(root, "warm"), Revoked = 10 });
            var defaults = new List<double>();
            for (int i = 0; i < runs; i++)
            {
                var sw = Stopwatch.StartNew();
                PkiGenerator.Generate(new PkiOptions { OutDir = Path.Combine(root, "default-" + i) });
                defaults.Add(sw.Elapsed.TotalSeconds);
            }
            var swc = Stopwatch.StartNew();
            PkiGenerator.Generate(new PkiOptions { OutDir = Path.Combine(root, "clients"), Clients = clients });
            var perClient = swc.Elapsed.TotalSeconds;
            defaults.Sort();
            Console.WriteLine(
                $"default PKI (rsa2048, 10,000 revoked): median {defaults[defaults.Count / 2]:0.000} s over {runs} runs (min " +
                $"{defaults[0]:0.000}, max {defaults[^1]:0.000})");
            Console.WriteLine($"default PKI + {clients:N0} per-client certs: {perClient:0.00} s");
            return 0;
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
