using ConnBurst.Pki;

namespace ConnBurst.Tests.Infrastructure;

/// <summary>
/// One benchmark PKI for the whole test run (10,000 revoked serials, an expired cert, a foreign CA), made once
/// on first use. Tests that change files (CRL reload...) must copy it with <see cref="CopyTo"/>.
/// </summary>
internal static class TestPki
{
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), "connburst-tests-" + Environment.ProcessId);

    private static readonly Lazy<PkiManifest> Shared = new(() => Create(Path.Combine(Root, "pki")));
    private static readonly Lazy<PkiManifest> Foreign = new(() => Create(Path.Combine(Root, "foreign"), revoked: 1));

    /// <summary>CONNBURST_HOME for every child process, so tests never touch ~/.connburst.</summary>
    public static string HomeDir => Path.Combine(Root, "home");

    public static PkiManifest Manifest => Shared.Value;
    public static string Dir => Manifest.Directory;

    /// <summary>A second, unrelated CA with its own client cert: for "wrong CA" tests.</summary>
    public static PkiManifest ForeignCa => Foreign.Value;

    public static string PathOf(string relative) => Manifest.PathOf(relative);

    public static PkiManifest CopyTo(string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.GetFiles(Dir)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)), true);
        return PkiManifest.Load(dir);
    }

    private static PkiManifest Create(string dir, int revoked = 10_000) =>
        PkiGenerator.Generate(new PkiOptions { OutDir = dir, Revoked = revoked, Expired = true, Force = true });
}
