namespace ConnBurst.Common;

/// <summary>Where embedded defaults live: <c>$CONNBURST_HOME</c>, else <c>~/.connburst</c>.</summary>
internal static class ConnBurstHome
{
    public static string Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("CONNBURST_HOME");
            if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (string.IsNullOrEmpty(home)) home = Path.GetTempPath();
            return Path.Combine(home, ".connburst");
        }
    }

    public static string DefaultPki => Path.Combine(Root, "pki");
}
