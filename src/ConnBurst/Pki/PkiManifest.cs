using System.Text.Json;
using System.Text.Json.Serialization;
using ConnBurst.Common;

namespace ConnBurst.Pki;

/// <summary>A certificate file and its private key, paths relative to the PKI directory.</summary>
internal sealed record CertKeyPair(
    [property: JsonPropertyName("cert")] string Cert,
    [property: JsonPropertyName("key")] string Key);

/// <summary>
/// <c>DIR/manifest.json</c>: every file of a benchmark PKI and its role. Servers, the load generator and tests find
/// everything through it. Paths are relative to the manifest's directory; use <see cref="PathOf"/> to resolve them.
/// </summary>
internal sealed class PkiManifest
{
    public const string FileName = "manifest.json";

    [JsonPropertyName("schema")] public string Schema { get; set; } = "connburst.pki/1";
    [JsonPropertyName("ca")] public CertKeyPair Ca { get; set; } = new("", "");
    /// <summary>The CA that signs clients and the CRL; equals <see cref="Ca"/> unless an intermediate was asked for.</summary>
    [JsonPropertyName("issuer")] public CertKeyPair Issuer { get; set; } = new("", "");
    /// <summary>The client chain file (issuer + ca), for peers that want the full chain to present.</summary>
    [JsonPropertyName("chain")] public string? Chain { get; set; }
    [JsonPropertyName("server")] public CertKeyPair Server { get; set; } = new("", "");
    [JsonPropertyName("client")] public CertKeyPair Client { get; set; } = new("", "");
    [JsonPropertyName("clients")] public List<CertKeyPair>? Clients { get; set; }
    [JsonPropertyName("crl")] public string Crl { get; set; } = "";
    [JsonPropertyName("revoked")] public List<CertKeyPair> Revoked { get; set; } = [];
    [JsonPropertyName("expired")] public CertKeyPair? Expired { get; set; }
    [JsonPropertyName("keyType")] public string KeyType { get; set; } = "rsa2048";
    [JsonPropertyName("revokedCount")] public int RevokedCount { get; set; }
    [JsonPropertyName("serverNames")] public List<string> ServerNames { get; set; } = [];
    [JsonPropertyName("days")] public int Days { get; set; }
    [JsonPropertyName("createdAt")] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The directory the manifest was loaded from; relative paths resolve against it.</summary>
    [JsonIgnore] public string Directory { get; set; } = "";

    public string PathOf(string relative) => Path.GetFullPath(Path.Combine(Directory, relative));

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static PkiManifest Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new InputException($"no PKI manifest at {path} (create one with 'connburst certs --out {directory}')");
        PkiManifest? m;
        try { m = JsonSerializer.Deserialize<PkiManifest>(File.ReadAllText(path), JsonOptions); }
        catch (JsonException e) { throw new InputException($"{path}: malformed PKI manifest: {e.Message}"); }
        if (m is null || m.Ca.Cert.Length == 0 || m.Server.Cert.Length == 0 || m.Crl.Length == 0)
            throw new InputException($"{path}: PKI manifest is missing ca, server or crl");
        m.Directory = Path.GetFullPath(directory);
        return m;
    }

    public void Save(string directory) =>
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, JsonOptions));
}
