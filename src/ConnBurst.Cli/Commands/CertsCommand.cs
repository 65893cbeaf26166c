using System.CommandLine;
using System.Diagnostics;
using ConnBurst.Pki;

namespace ConnBurst.Cli.Commands;

/// <summary><c>connburst certs</c>: generate a complete benchmark PKI in one call.</summary>
internal static class CertsCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Output directory (created; must be empty or absent unless --force)",
            Required = true };
        var key = new Option<string>("--key") { Description = "Key type for every key: rsa2048 or ecdsa-p256",
            DefaultValueFactory = _ => "rsa2048" };
        var revoked = new Option<int>("--revoked") { Description = "Serials listed in the CRL, including the real revoked-*.pem certs",
            DefaultValueFactory = _ => 10_000 };
        var clients = new Option<int>("--clients") { Description =
            "Also write N distinct per-client certificates under clients/ (0: only the shared client cert)" };
        var distinctKeys = new Option<bool>("--distinct-keys") { Description =
            "Give each per-client certificate its own key (slow with RSA); by default they share one" };
        var names = new Option<string>("--server-names") { Description =
            "Comma-separated DNS names and IPs for the server certificate's SAN", DefaultValueFactory = _ => "localhost,127.0.0.1" };
        var days = new Option<int>("--days") { Description = "Validity in days of every certificate", DefaultValueFactory = _ => 365 };
        var expired = new Option<bool>("--expired") { Description =
            "Also write expired.pem, an already-expired client certificate for negative tests" };
        var intermediate = new Option<bool>("--intermediate") { Description =
            "Sign clients and the CRL with an intermediate client CA (issuer.pem)" };
        var force = new Option<bool>("--force") { Description =
            "Replace an existing output directory (atomically: the old one is kept if generation fails)" };

        var cmd = new Command("certs",
            "Generate a benchmark PKI: root CA, server cert, client cert(s), revoked and expired certs, and a CRL, with a manifest.json " +
            "naming each file's role.")
        {
            outDir, key, revoked, clients, distinctKeys, names, days, expired, intermediate, force,
        };
        CommandAction.Set(cmd, (p, _) =>
        {
            var options = new PkiOptions
            {
                OutDir = p.GetValue(outDir)!,
                KeyType = PkiOptions.ParseKeyType(p.GetValue(key)!),
                Revoked = p.GetValue(revoked),
                Clients = p.GetValue(clients),
                DistinctKeys = p.GetValue(distinctKeys),
                ServerNames = p.GetValue(names)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                Days = p.GetValue(days),
                Expired = p.GetValue(expired),
                Intermediate = p.GetValue(intermediate),
                Force = p.GetValue(force),
            };
            var sw = Stopwatch.StartNew();
            var m = PkiGenerator.Generate(options);
            Console.WriteLine($"PKI ({m.KeyType}) written in {sw.Elapsed.TotalSeconds:0.00} s:");
            Console.WriteLine($"  ca      {m.PathOf(m.Ca.Cert)}");
            if (m.Issuer != m.Ca) Console.WriteLine($"  issuer  {m.PathOf(m.Issuer.Cert)} (intermediate client CA)");
            Console.WriteLine($"  server  {m.PathOf(m.Server.Cert)}  SAN {string.Join(',', m.ServerNames)}");
            Console.WriteLine(
                $"  client  " +
                $"{m.PathOf(m.Client.Cert)}{(m.Clients is { Count: > 0 } c ? $"  (+{c.Count} per-client certs in clients/)" : "")}");
            Console.WriteLine($"  crl     {m.PathOf(m.Crl)}  {m.RevokedCount} revoked serials, {m.Revoked.Count} real revoked-*.pem");
            if (m.Expired is not null) Console.WriteLine($"  expired {m.PathOf(m.Expired.Cert)}");
            Console.WriteLine(Path.Combine(m.Directory, PkiManifest.FileName));
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
