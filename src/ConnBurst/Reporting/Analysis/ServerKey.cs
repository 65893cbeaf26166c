using System.Security.Cryptography.X509Certificates;
using ConnBurst.Pki;

namespace ConnBurst.Reporting.Analysis;

/// <summary>
/// The server certificate's key type as the run's PKI (config "pki", the directory the generator trusted) holds it:
/// "RSA-2048", "ECDSA P-256"... Null when the run names no PKI or it is not readable here; a server started with another
/// PKI than the generator's would fail every handshake, so the PKI's server key is the one the run exercised.
/// </summary>
internal static class ServerKey
{
    public static string? Of(Results.ResultsDocument run)
    {
        if (run.Config["pki"] is not System.Text.Json.Nodes.JsonValue v || !v.TryGetValue<string>(out var dir)) return null;
        try
        {
            var manifest = PkiManifest.Load(dir);
            using var cert = X509Certificate2.CreateFromPem(File.ReadAllText(manifest.PathOf(manifest.Server.Cert)));
            using var rsa = cert.GetRSAPublicKey();
            if (rsa is not null) return $"RSA-{rsa.KeySize}";
            using var ec = cert.GetECDsaPublicKey();
            if (ec is not null) return ec.KeySize == 256 ? "ECDSA P-256" : $"ECDSA-{ec.KeySize}";
            return cert.PublicKey.Oid.FriendlyName ?? cert.PublicKey.Oid.Value;
        }
        catch (Exception e) when (e is Common.InputException or IOException or UnauthorizedAccessException
            or System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
