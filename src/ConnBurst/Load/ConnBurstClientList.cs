using System.Globalization;
using ConnBurst.Common;

namespace ConnBurst.Load;

/// <summary>
/// ConnBurst's client-list format (<c>connburst clientlist</c> writes it): a header line, then one client per line,
/// comma-separated, paths without commas. Streams line by line, so a 1M-client list is never held as text.
/// <code>
/// #connburst.clientlist/1 id,host,port,cert,key,lingerSecs,reconnectDelayUSecs
/// cb-000001,127.0.0.1,8884,/pki/client.pem,/pki/client-key.pem,-1,0
/// </code>
/// The second version adds each client's MQTT user name and password (empty: none; neither may contain ','):
/// <c>#connburst.clientlist/2 id,host,port,cert,key,lingerSecs,reconnectDelayUSecs,username,password</c>.
/// </summary>
internal static class ConnBurstClientList
{
    public const string Header = "#connburst.clientlist/1 id,host,port,cert,key,lingerSecs,reconnectDelayUSecs";
    public const string HeaderWithUsers = "#connburst.clientlist/2 id,host,port,cert,key,lingerSecs,reconnectDelayUSecs,username,password";

    public static ClientList Read(string path)
    {
        var list = new ClientList { Format = "connburst" };
        using var reader = new StreamReader(path);
        var header = reader.ReadLine();
        var fields = header?.Trim() == Header ? 7 : header?.Trim() == HeaderWithUsers ? 9
            : throw new InputException($"{path}:1: not a client list (expected '{Header}' or mqttbench JSON)");
        int lineNo = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Length == 0 || line[0] == '#') continue;
            var f = line.Split(',');
            if (f.Length != fields) throw new InputException($"{path}:{lineNo}: expected {fields} fields, found {f.Length}");
            if (f[0].Length == 0) throw new InputException($"{path}:{lineNo}: empty client id");
            if (!int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                throw new InputException($"{path}:{lineNo}: '{f[2]}' is not a port");
            if (!double.TryParse(f[5], NumberStyles.Float, CultureInfo.InvariantCulture, out var linger))
                throw new InputException($"{path}:{lineNo}: lingerSecs '{f[5]}' is not a number");
            if (!long.TryParse(f[6], NumberStyles.None, CultureInfo.InvariantCulture, out var delayUs))
                throw new InputException($"{path}:{lineNo}: reconnectDelayUSecs '{f[6]}' is not a number");
            var cred = f[3].Length == 0 ? null : new ClientCredential(f[3], f[4]);
            list.Add(f[0], new HostPort(f[1], port), cred, linger < 0 ? -1 : (int)(linger * 1000),
                (int)Math.Min(delayUs / 1000, int.MaxValue), cleanStart: true, fields == 9 && f[7].Length > 0 ? f[7] : null,
                fields == 9 && f[8].Length > 0 ? f[8] : null);
        }
        return list;
    }

    /// <summary>
    /// Writes a list of <paramref name="clients"/> clients: destinations assigned round-robin, then the order shuffled
    /// (as the MQTT benchmark's genClientList does), so consecutive attempts spread over every destination.
    /// </summary>
    public static void Write(string path, IReadOnlyList<string> destinations, int port, int clients, string idPrefix,
        string? cert, string? key, double lingerSecs, long reconnectDelayUs, int seed, string? userName = null)
    {
        var order = Enumerable.Range(0, clients).ToArray();
        new Random(seed).Shuffle(order);
        var width = Math.Max(6, (clients - 1).ToString(CultureInfo.InvariantCulture).Length);
        var tmp = path + ".tmp";
        using (var w = new StreamWriter(tmp))
        {
            // With user names the list is the second version; its passwords stay empty (burst takes them from a file).
            w.WriteLine(userName is null ? Header : HeaderWithUsers);
            foreach (var i in order)
            {
                var dest = destinations[i % destinations.Count];
                var id = idPrefix + i.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
                w.Write(id); w.Write(',');
                w.Write(dest); w.Write(','); w.Write(port.ToString(CultureInfo.InvariantCulture)); w.Write(',');
                w.Write(cert ?? ""); w.Write(','); w.Write(key ?? ""); w.Write(',');
                w.Write(lingerSecs.ToString(CultureInfo.InvariantCulture)); w.Write(',');
                w.Write(reconnectDelayUs.ToString(CultureInfo.InvariantCulture));
                if (userName is not null) { w.Write(','); w.Write(MqttCredentials.Expand(userName, i, id)); w.Write(','); }
                w.WriteLine();
            }
        }
        File.Move(tmp, path, overwrite: true);
    }
}
