using ConnBurst.Common;

namespace ConnBurst.Pki;

/// <summary>
/// The PKI a command uses: the one named by <c>--pki DIR</c>, or the embedded default under
/// <c>$CONNBURST_HOME/pki</c>, created on first need so that <c>serve</c> and <c>chat</c> work with no set-up.
/// </summary>
internal static class DefaultPki
{
    private static readonly Lock CreateLock = new();

    public static PkiManifest Resolve(string? pkiDir, Action<string>? log = null)
    {
        if (!string.IsNullOrEmpty(pkiDir)) return PkiManifest.Load(pkiDir);
        var dir = ConnBurstHome.DefaultPki;
        lock (CreateLock)
        {
            if (File.Exists(Path.Combine(dir, PkiManifest.FileName))) return PkiManifest.Load(dir);
            log?.Invoke($"creating the default benchmark PKI in {dir} (10,000 revoked serials)");
            try
            {
                return PkiGenerator.Generate(new PkiOptions { OutDir = dir, Force = true, Expired = true });
            }
            catch (IOException) when (File.Exists(Path.Combine(dir, PkiManifest.FileName)))
            {
                // Another process created it at the same moment; theirs is complete (it was renamed into place whole).
                return PkiManifest.Load(dir);
            }
        }
    }
}
