using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ConnBurst.Common;
using ConnBurst.Pki;
using ConnBurst.Tls;
using ConnBurst.Tls.OpenSsl;
using ConnBurst.Transport;

namespace ConnBurst.Load;

/// <summary>
/// A burst run made concrete, once, at the edge: files loaded (each certificate and key once, however many clients
/// share it), names resolved, destinations probed, TLS client contexts built. Every problem is an
/// <see cref="InputException"/> raised before any load is sent. Clients are numbered 0..<see cref="Clients"/>-1 globally.
/// Disposing it frees what it built (the native context with its cached sessions, each identity's native and .NET
/// copies): a process that runs many bursts (peak's steps) must not keep every step's.
/// </summary>
internal sealed class BurstPlan : IDisposable
{
    public required BurstOptions Options { get; init; }
    public required int Clients { get; init; }
    public required int Workers { get; init; }
    public ClientList? List { get; init; }
    public PkiManifest? Manifest { get; init; }
    public SourceAddresses? Sources { get; init; }

    /// <summary>
    /// The source address of a client: the agent's own addresses round-robin over its own clients (by their position
    /// in the agent's part, not their global number), so an agent on a host of its own uses every address it was
    /// given, and the workers inside an agent split them evenly (docs/DECISIONS.md, "Scale-out").
    /// </summary>
    public System.Net.IPAddress? SourceOf(int client) => Sources?.For(Options.Shard.OrdinalOf(client));
    public required IPEndPoint[] Endpoints { get; init; }
    public required string ServerName { get; init; }
    public required string CredentialDescription { get; init; }
    public string KeyType { get; init; } = "";
    public int KeyBits { get; init; }

    /// <summary>TLS client factories by [credential][destination]; built once each.</summary>
    private TlsClientFactory[][] _factories = [];
    /// <summary>Per-client-certificate runs (certs --clients N): client i uses credential i mod count.</summary>
    private int _roundRobinCredentials = 1;

    public int DestinationOf(int client) => List is null ? 0 : List[client].Destination;

    public TlsClientFactory FactoryOf(int client)
    {
        int cred;
        if (List is null)
        {
            cred = client % _roundRobinCredentials;
        }
        else
        {
            var c = List[client].Credential;
            cred = c < 0 ? 0 : c + (_listHasDefault ? 1 : 0);
        }
        return _factories[cred][DestinationOf(client)];
    }

    private bool _listHasDefault;
    private OpenSslClientContext? _openSsl;
    private List<CertificateWithChain> _credentials = [];

    public void Dispose()
    {
        foreach (var row in _factories)
            foreach (var factory in row) factory.Dispose();
        _openSsl?.Dispose();
        foreach (var c in _credentials)
        {
            c.Certificate.Dispose();
            foreach (var i in c.Intermediates) i.Dispose();
        }
        _credentials = [];
    }

    public string ClientIdOf(int client) => List is null
        ? Options.ClientIdPrefix + client.ToString(System.Globalization.CultureInfo.InvariantCulture) : List.IdOf(client);

    /// <summary>Linger of a client: the list's own value when it has one, else the run's.</summary>
    public TimeSpan? LingerOf(int client) =>
        List is not null && List[client].LingerMs >= 0
            ? (List[client].LingerMs == 0 ? null : TimeSpan.FromMilliseconds(List[client].LingerMs)) : Options.Linger;

    public TimeSpan ReconnectDelayOf(int client) =>
        List is not null && List[client].ReconnectDelayMs > 0 ? TimeSpan.FromMilliseconds(List[client].ReconnectDelayMs)
            : Options.ReconnectDelay;

    public bool CleanStartOf(int client) => List is null || List[client].CleanStart;

    /// <summary>True when some client reconnects periodically (a linger from the options or the list).</summary>
    public bool Cycles => Options.Linger is not null
        || (List is not null && Enumerable.Range(0, Math.Min(List.Count, 1000)).Any(i => List[i].LingerMs > 0));

    public static BurstPlan Prepare(BurstOptions o, Action<string>? log = null)
    {
        o.Validate();
        var list = o.ClientListPath is null ? null : ClientList.Load(o.ClientListPath);
        var clients = list is null ? o.Clients : (o.Clients > 0 ? Math.Min(o.Clients, list.Count) : list.Count);
        if (o.Stages is not null) clients = o.StagedClients(clients);
        var sources = o.SourceIps is null ? null : SourceAddresses.Parse(o.SourceIps);

        PkiManifest? manifest = null;
        bool needManifest = o.CaPath is null || (o.CertPath is null
            && !(list?.Credentials.Count > 0 && list.Count == clients && AllHaveCredentials(list)));
        if (needManifest) manifest = DefaultPki.Resolve(o.PkiDir, log);
        var roots = o.CaPath is not null ? TlsCertificates.LoadAll(o.CaPath) : TlsCertificates.Roots(manifest!);

        // Credentials: [0] the default (--cert/--key or the PKI's shared client), then per-client or list ones.
        var creds = new List<CertificateWithChain>();
        string description;
        bool listHasDefault = false;
        int roundRobin = 1;
        if (list is not null && list.Credentials.Count > 0)
        {
            if (!AllHaveCredentials(list))
            {
                creds.Add(DefaultCredential(o, manifest));
                listHasDefault = true;
            }
            foreach (var c in list.Credentials) creds.Add(TlsCertificates.LoadWithKey(c.CertPath, c.KeyPath));
            description = $"{list.Credentials.Count} distinct from the client list";
        }
        else if (o.PerClientCerts)
        {
            if (manifest?.Clients is not { Count: > 0 } pcs)
            {
                throw new InputException(
                    $"--per-client-certs: the PKI {manifest?.Directory} has no per-client certificates (make it with 'connburst certs " +
                    $"--clients N')");
            }
            foreach (var pc in pcs) creds.Add(TlsCertificates.LoadWithKey(manifest.PathOf(pc.Cert), manifest.PathOf(pc.Key)));
            roundRobin = creds.Count;
            description = $"{creds.Count} per-client certificates, round-robin";
        }
        else
        {
            creds.Add(DefaultCredential(o, manifest));
            description = o.CertPath ?? manifest!.PathOf(manifest.Client.Cert);
        }

        var destinations = list?.Destinations ?? [o.Target];
        var endpoints = destinations.Select(d => d.Resolve("--target")).ToArray();
        var serverName = o.ServerName ?? destinations[0].Host;
        // The native engine shares one SSL_CTX across every credential and destination; it lives as long as the process's run.
        var openSsl = o.TlsEngine == TlsEngine.OpenSsl ? new OpenSslClientContext(o.Tls, roots) : null;
        var factories = creds.Select(c => destinations.Select(d
            => new TlsClientFactory(o.Tls, o.ServerName ?? d.Host, roots, c, openSsl: openSsl)).ToArray()).ToArray();
        var (keyType, keyBits) = KeyFacts(creds[0].Certificate);

        if (o.ProbeTargets)
            foreach (var (ep, i) in endpoints.Select((e, i) => (e, i))) Probe(destinations[i], ep, sources?.For(0));

        return new BurstPlan
        {
            Options = o,
            Clients = clients,
            Workers = o.EffectiveWorkers(o.Shard.ClientsOf(clients)),
            List = list,
            Manifest = manifest,
            Sources = sources,
            Endpoints = endpoints,
            ServerName = serverName,
            CredentialDescription = description,
            KeyType = keyType,
            KeyBits = keyBits,
            _factories = factories,
            _roundRobinCredentials = roundRobin,
            _listHasDefault = listHasDefault,
            _openSsl = openSsl,
            _credentials = creds,
        };
    }

    private static bool AllHaveCredentials(ClientList list)
    {
        for (int i = 0; i < list.Count; i++) if (list[i].Credential < 0) return false;
        return true;
    }

    private static CertificateWithChain DefaultCredential(BurstOptions o, PkiManifest? m) =>
        o.CertPath is not null ? TlsCertificates.LoadWithKey(o.CertPath, o.KeyPath!) : TlsCertificates.Client(m!);

    private static (string, int) KeyFacts(X509Certificate2 cert)
    {
        using var rsa = cert.GetRSAPublicKey();
        if (rsa is not null) return ("rsa", rsa.KeySize);
        using var ec = cert.GetECDsaPublicKey();
        if (ec is not null) return ("ecdsa", ec.KeySize);
        return (cert.PublicKey.Oid.FriendlyName ?? "unknown", 0);
    }

    /// <summary>
    /// One plain TCP connect to a destination, so "nothing listens there" is bad input, not 10,000 failures. Synchronous
    /// (non-blocking connect, then poll) on purpose: the plan may be built on one of .NET's epoll threads (inline
    /// socket completions, peak's steps), where waiting on an async connect would wait for that very thread. Its
    /// failures are one line naming the target, the source address the connect left from, and what to check (the
    /// seed's troubleshooting: a firewall dropping the agent's addresses, a wrong IP, hosts on different networks).
    /// </summary>
    private static void Probe(HostPort name, IPEndPoint ep, IPAddress? source)
    {
        using var s = ClientSockets.Create(ep, source);
        s.Blocking = false;
        try
        {
            s.Connect(ep);
        }
        catch (SocketException se) when (se.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            if (!s.Poll(TimeSpan.FromSeconds(5), SelectMode.SelectWrite) && !s.Poll(TimeSpan.Zero, SelectMode.SelectError))
            {
                throw new InputException($"target {name}: no answer within 5s from source {SourceOf(s, source)}: check that no firewall " +
                                         $"(nft/iptables on the server or between) drops {SourceOf(s, source)}, that {ep.Address} is the " +
                                         $"server's address, " +
                                         "and that this host reaches it (same network, or a route)");
            }
        }
        catch (SocketException se)
        {
            throw Refused(name, ep, SourceOf(s, source), se.SocketErrorCode, se.Message);
        }
        var error = (SocketError)(int)s.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
        if (error != SocketError.Success) throw Refused(name, ep, SourceOf(s, source), error, new SocketException((int)error).Message);

        // The address the probe left from: the one bound (--source-ips), else the one the kernel chose for the route.
        static string SourceOf(Socket s, IPAddress? source)
        {
            if (source is not null) return source.ToString();
            try { return s.LocalEndPoint is IPEndPoint { Address: var a } && !a.Equals(IPAddress.Any)
                && !a.Equals(IPAddress.IPv6Any) ? a.ToString() : "(the default address)"; }
            catch (SocketException) { return "(the default address)"; }
        }
    }

    private static InputException Refused(HostPort name, IPEndPoint ep, string source, SocketError error, string message)
    {
        var failure = SocketFailures.Classify(error);
        var check = failure switch
        {
            SocketFailure.Refused
                => $"check that the server runs and listens on {ep} (not only on 127.0.0.1), and that no firewall rejects {source}",
            SocketFailure.Unreachable
                => $"check that {ep.Address} is the server's address and that this host reaches it from {source} " +
                $"(same network, or a route)",
            SocketFailure.TimedOut
                => $"check that no firewall (nft/iptables on the server or between) drops {source}, and that {ep.Address} is the " +
                $"server's address",
            SocketFailure.NoLocalPort => $"check that {source} is an address of this host (--source-ips)",
            _ => $"check the server at {ep}, the firewall, and this host's route from {source}",
        };
        return new($"target {name}: {failure.Reason().Replace('-', ' ')} ({message}) from source {source}: {check}");
    }
}
