using System.Text;
using ConnBurst.Common;

namespace ConnBurst.Load;

/// <summary>One client of a list, as stored: small indexes into shared tables, so 1M entries stay compact.</summary>
internal readonly record struct ClientEntry(int IdStart, int IdLength, ushort Destination, int Credential, int LingerMs,
    int ReconnectDelayMs, bool CleanStart);

/// <summary>A client certificate and key by path: one per distinct pair in a list, loaded once however many clients share it.</summary>
internal sealed record ClientCredential(string CertPath, string KeyPath);

/// <summary>
/// A client list (<c>burst --client-list FILE</c>): ConnBurst's own line format or mqttbench's JSON. Only the fields a
/// connect needs are kept, compactly: ids share one character buffer, destinations and cert/key pairs are table
/// indexes. Lingers of -1 mean "use the run's --linger".
/// </summary>
internal sealed class ClientList
{
    private readonly StringBuilder _ids = new();
    private string? _idText;
    private readonly List<ClientEntry> _entries = [];
    private readonly Dictionary<HostPort, ushort> _destIndex = [];
    private readonly Dictionary<ClientCredential, int> _credIndex = [];
    // Per-client MQTT user names and passwords, kept only once some entry has one (most lists have none).
    private List<string?>? _userNames;
    private List<string?>? _passwords;

    public List<HostPort> Destinations { get; } = [];
    public List<ClientCredential> Credentials { get; } = [];
    /// <summary>Fields seen in the file that ConnBurst does not use, with how many entries carried each: reported, never silently
    /// dropped.</summary>
    public SortedDictionary<string, int> UnknownFields { get; } = new(StringComparer.Ordinal);
    public string Format { get; set; } = "connburst";
    public string SourcePath { get; set; } = "";

    public int Count => _entries.Count;
    public ClientEntry this[int i] => _entries[i];

    public string IdOf(int i)
    {
        _idText ??= _ids.ToString();
        var e = _entries[i];
        return _idText.Substring(e.IdStart, e.IdLength);
    }

    public HostPort DestinationOf(int i) => Destinations[_entries[i].Destination];
    public ClientCredential? CredentialOf(int i) => _entries[i].Credential < 0 ? null : Credentials[_entries[i].Credential];

    /// <summary>The client's own MQTT user name, or null.</summary>
    public string? UserNameOf(int i) => _userNames is { } u ? u[i] : null;

    /// <summary>The client's own MQTT password, or null.</summary>
    public string? PasswordOf(int i) => _passwords is { } p ? p[i] : null;

    public void Add(string id, HostPort destination, ClientCredential? credential, int lingerMs, int reconnectDelayMs, bool cleanStart,
        string? userName = null, string? password = null)
    {
        if (userName is not null || password is not null) MqttCredentials.CheckSize(userName, password, $"client list: client {id}");
        if (userName is not null) _userNames ??= [.. Enumerable.Repeat<string?>(null, _entries.Count)];
        if (password is not null) _passwords ??= [.. Enumerable.Repeat<string?>(null, _entries.Count)];
        _userNames?.Add(userName);
        _passwords?.Add(password);
        if (!_destIndex.TryGetValue(destination, out var d))
        {
            if (Destinations.Count >= ushort.MaxValue) throw new InputException("client list: more than 65,535 distinct destinations");
            _destIndex[destination] = d = (ushort)Destinations.Count;
            Destinations.Add(destination);
        }
        int c = -1;
        if (credential is not null && !_credIndex.TryGetValue(credential, out c))
        {
            _credIndex[credential] = c = Credentials.Count;
            Credentials.Add(credential);
        }
        _entries.Add(new ClientEntry(_ids.Length, id.Length, d, c, lingerMs, reconnectDelayMs, cleanStart));
        _ids.Append(id);
        _idText = null;
    }

    public void NoteUnknownField(string name) => UnknownFields[name] = UnknownFields.GetValueOrDefault(name) + 1;

    /// <summary>Reads either format, chosen by the first non-blank character ('[' is mqttbench JSON).</summary>
    public static ClientList Load(string path)
    {
        if (!File.Exists(path)) throw new InputException($"--client-list: file not found: {path}");
        int first;
        using (var peek = new StreamReader(path))
        {
            do first = peek.Read(); while (first >= 0 && char.IsWhiteSpace((char)first));
        }
        var list = first == '[' ? MqttbenchClientList.Read(path) : ConnBurstClientList.Read(path);
        if (list.Count == 0) throw new InputException($"{path}: client list has no clients");
        list.SourcePath = Path.GetFullPath(path);
        return list;
    }
}
