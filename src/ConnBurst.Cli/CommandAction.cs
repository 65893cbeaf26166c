using System.CommandLine;
using ConnBurst.Common;

namespace ConnBurst.Cli;

/// <summary>
/// Wraps every command's work so errors reach the user as one line: <see cref="InputException"/> exits 2,
/// anything else exits 1. Stack traces are shown only with CONNBURST_DEBUG=1.
/// </summary>
internal static class CommandAction
{
    public static void Set(Command command, Func<ParseResult, CancellationToken, Task<int>> work) =>
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                return await work(parse, ct);
            }
            catch (InputException e)
            {
                Console.Error.WriteLine($"connburst {command.Name}: {e.Message}");
                return ExitCodes.BadInput;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Console.Error.WriteLine($"connburst {command.Name}: interrupted");
                return ExitCodes.RunFailed;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"connburst {command.Name}: failed: {OneLine(e)}");
                if (Environment.GetEnvironmentVariable("CONNBURST_DEBUG") == "1") Console.Error.WriteLine(e);
                return ExitCodes.RunFailed;
            }
        });

    public static void Set(Command command, Func<ParseResult, CancellationToken, int> work) =>
        Set(command, (p, ct) => Task.FromResult(work(p, ct)));

    private static string OneLine(Exception e)
    {
        var msg = e.Message;
        if (e.InnerException is { } inner && !msg.Contains(inner.Message, StringComparison.Ordinal)) msg += ": " + inner.Message;
        return msg.ReplaceLineEndings(" ");
    }
}
