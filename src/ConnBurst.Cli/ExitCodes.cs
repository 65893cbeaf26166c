namespace ConnBurst.Cli;

/// <summary>The exit-code contract of every command (docs/CLI.md, "Exit codes").</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int RunFailed = 1;
    public const int BadInput = 2;
    /// <summary>Stopped by Ctrl-C or SIGTERM; what was gathered is written first (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
