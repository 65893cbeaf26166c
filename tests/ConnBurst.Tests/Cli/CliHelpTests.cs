using ConnBurst.Cli;

namespace ConnBurst.Tests.Cli;

/// <summary>What a person reads: <c>connburst COMMAND --help</c> of every command, as printed.</summary>
public sealed class CliHelpTests
{
    [Fact]
    public async Task EveryCommandsHelpShowsTheNewNamesAndDurationsAsTyped()
    {
        foreach (var (path, command) in CliConventions.Walk(CliApp.BuildRoot()))
        {
            var output = new StringWriter();
            var code = await CliApp.BuildRoot().Parse($"{path} --help")
                .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output });
            var help = output.ToString();
            Assert.True(code == 0 && System.Text.RegularExpressions.Regex.IsMatch(help, $@"Usage:\s+\S+ {path}\b"),
                $"{path}: exit {code}\n{help}");
            Assert.DoesNotContain("[default: 00:", help, StringComparison.Ordinal); // a duration's default is 10s, not 00:00:10
            foreach (var legacy in command.Options.OfType<ILegacyOption>().Cast<System.CommandLine.Option>())
                Assert.DoesNotMatch($@"(?m)^\s+{legacy.Name}[\s,]", help);
        }
    }
}
