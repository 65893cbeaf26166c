using System.CommandLine;
using ConnBurst.Common;
using ConnBurst.Load;

namespace ConnBurst.Cli.Commands;

/// <summary><c>connburst clientlist</c>: write a client list for <c>burst --client-list</c> (the MQTT benchmark's genClientList).</summary>
internal static class ClientListCommand
{
    public static Command Create()
    {
        var destList = new Option<string>("--destlist") { Description = "Comma-separated server addresses or names, assigned round-robin",
            Required = true };
        var clients = new Option<int>("--clients") { Description = "Number of clients", DefaultValueFactory = _ => 1000 };
        var port = new Option<int>("--port") { Description = "Server port", DefaultValueFactory = _ => 8884 };
        var cert = new Option<string?>("--cert") { Description =
            "Client certificate PEM for every entry (default: none; burst then uses its own)" };
        var key = new Option<string?>("--key") { Description = "Private key PEM of --cert" };
        var prefix = new Option<string>("--client-id-prefix") { Description = "Client ids are PREFIX + zero-padded number",
            DefaultValueFactory = _ => "cb-" };
        var linger = new OptionalDurationOption("--linger") { Description =
            "Per-client linger written into the list (default: burst's --linger)" };
        var delay = new DurationOption("--reconnect-delay") { Description = "Per-client reconnect delay",
            DefaultValueFactory = _ => TimeSpan.Zero };
        var userName = new Option<string?>("--username") { Description =
            "Write each client's MQTT user name into the list: %i is the number in its id, %c its client id (passwords stay " +
            "out: give burst --password-file)" };
        var seed = new Option<int>("--seed") { Description = "Shuffle seed (same seed, same list)", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out-file") { Description = "Output file", DefaultValueFactory = _ => "clientlist.txt" };

        var cmd = new Command("clientlist",
            "Write a client list: destinations round-robin, then shuffled (the MQTT benchmark's genClientList), for burst --client-list.")
        {
            destList, clients, port, cert, key, prefix, linger, delay, userName, seed, output,
        };
        LegacyNames.Add(cmd, output, "--out");
        CommandAction.Set(cmd, (p, _) =>
        {
            var dests = p.GetValue(destList)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (dests.Length == 0) throw new InputException("--destlist: no destination given");
            foreach (var d in dests)
            {
                if (d.Contains(',') || d.Contains(':') && !d.Contains('['))
                    throw new InputException($"--destlist: '{d}' must be a host or address without a port (use --port)");
            }
            var n = p.GetValue(clients);
            if (n < 1) throw new InputException("--clients: must be at least 1");
            var portValue = p.GetValue(port);
            if (portValue is < 1 or > 65535) throw new InputException($"--port: {portValue} is not 1-65535");
            var certPath = p.GetValue(cert);
            var keyPath = p.GetValue(key);
            if ((certPath is null) != (keyPath is null)) throw new InputException("--cert and --key go together");
            if (certPath is not null)
            {
                // Check once here that the pair loads, so a bad list fails now and not at 1M connects.
                Tls.TlsCertificates.LoadWithKey(certPath, keyPath!);
                certPath = Path.GetFullPath(certPath);
                keyPath = Path.GetFullPath(keyPath!);
                if (certPath.Contains(',') || keyPath.Contains(',')) throw new InputException("--cert/--key: paths must not contain ','");
            }
            var lingerSecs = p.GetValue(linger) is { } l ? l.Value.TotalSeconds : -1;
            var delayUs = (long)(p.GetValue(delay).Value.TotalMilliseconds * 1000);
            var outPath = Path.GetFullPath(p.GetValue(output)!);
            MqttCredentials.Check(p.GetValue(userName), "--username");
            if (p.GetValue(userName)?.Contains(',', StringComparison.Ordinal) == true)
                throw new InputException("--username: a client list's fields must not contain ','");
            ConnBurstClientList.Write(outPath, dests, portValue, n, p.GetValue(prefix)!, certPath, keyPath, lingerSecs, delayUs,
                p.GetValue(seed), p.GetValue(userName));
            Console.WriteLine($"{n} clients over {dests.Length} destination(s), shuffled (seed {p.GetValue(seed)})");
            Console.WriteLine(outPath);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
