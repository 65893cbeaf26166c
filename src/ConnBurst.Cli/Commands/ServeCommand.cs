using System.CommandLine;

namespace ConnBurst.Cli.Commands;

/// <summary><c>connburst serve</c>: the reference servers, one subcommand (and one file) each.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var cmd = new Command("serve", "Run a reference server: the system under test ConnBurst ships as its embedded default.");
        cmd.Subcommands.Add(ServeMqttCommand.Create());
        cmd.Subcommands.Add(ServeChatCommand.Create());
        return cmd;
    }
}
