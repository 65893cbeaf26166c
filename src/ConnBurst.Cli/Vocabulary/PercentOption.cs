using System.CommandLine;
using ConnBurst.Common;

namespace ConnBurst.Cli;

/// <summary>
/// An option whose value is a percentage: <c>N</c> and <c>N%</c> both mean N percent, so <c>0.9</c> is 0.9% (docs/CLI.md,
/// "Percents"). The value read is the percent number (5 for 5%).
/// </summary>
internal sealed class PercentOption : Option<double>
{
    public PercentOption(string name) : base(name)
    {
        HelpName = "PERCENT";
        CustomParser = r => TypedValue.Parse<double>(r, Percents.TryParse, "a percentage (e.g. 5 or 5%)");
    }
}
