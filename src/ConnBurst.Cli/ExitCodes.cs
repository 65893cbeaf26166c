namespace ConnBurst.Cli;

/// <summary>The exit-code contract of every command (DESIGN.md).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int RunFailed = 1;
    public const int BadInput = 2;
}
