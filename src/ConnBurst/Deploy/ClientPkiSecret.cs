using ConnBurst.Common;
using ConnBurst.Pki;

namespace ConnBurst.Deploy;

/// <summary>
/// The client side of a <c>connburst certs</c> PKI, as the files of a Secret: its manifest, the shared client
/// certificate and key, the CA the server must chain to, and the per-client certificates when the plan uses them.
/// Never the CA's or the server's keys. Mounted as an agent's <c>$CONNBURST_HOME/pki</c>, it is the PKI burst loads
/// when no PKI option is given.
/// </summary>
internal sealed record ClientPkiSecret(IReadOnlyList<ClientPkiSecret.File> Files)
{
    /// <summary>One file: its key in the Secret (no '/': Kubernetes allows none there), its path in the mount, its bytes.</summary>
    internal sealed record File(string Key, string Path, byte[] Bytes);

    /// <summary>Kubernetes refuses a Secret larger than this.</summary>
    public const int MaxBytes = 1024 * 1024;

    public static ClientPkiSecret Load(string dir, bool perClientCerts, string what = "--pki")
    {
        var m = PkiManifest.Load(dir);
        var paths = new List<string> { PkiManifest.FileName, m.Client.Cert, m.Client.Key, m.Ca.Cert };
        if (perClientCerts)
        {
            if (m.Clients is not { Count: > 0 } pcs)
                throw new InputException($"{what}: the plan uses per-client certificates and the PKI {dir} has none (certs --clients N)");
            foreach (var pc in pcs) paths.AddRange([pc.Cert, pc.Key]);
        }
        var files = new List<File>();
        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            var full = m.PathOf(path);
            if (!System.IO.File.Exists(full)) throw new InputException($"{what}: {full} is missing (the PKI's manifest names it)");
            files.Add(new File(path.Replace('/', '_'), path, System.IO.File.ReadAllBytes(full)));
        }
        var size = files.Sum(f => f.Bytes.Length);
        if (size > MaxBytes)
            throw new InputException($"{what}: the client side of {dir} is {size} bytes, more than a Secret holds ({MaxBytes})");
        return new ClientPkiSecret(files);
    }
}
