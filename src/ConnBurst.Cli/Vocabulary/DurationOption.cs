using System.CommandLine;
using System.CommandLine.Parsing;
using ConnBurst.Common;

namespace ConnBurst.Cli;

/// <summary>
/// An option whose value is a duration (<c>500ms</c>, <c>4s</c>, <c>2m</c>; docs/CLI.md, "Durations"): typed <see cref="TimeSpan"/>
/// and parsed by <see cref="Durations"/>, so a bad one is the parse's one-line error and every command reads the same spelling.
/// </summary>
internal sealed class DurationOption : Option<TimeSpan>
{
    public DurationOption(string name) : base(name)
    {
        HelpName = "DURATION";
        CustomParser = Parse;
    }

    internal static TimeSpan Parse(ArgumentResult r)
    {
        var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
        if (Durations.TryParse(text, out var value)) return value;
        r.AddError($"{NameOf(r)}: '{text}' is not a duration (use e.g. 500ms, 4s, 2m, 1h)");
        return default;
    }

    internal static string NameOf(ArgumentResult r) => (r.Parent as OptionResult)?.Option.Name ?? "duration";
}

/// <summary>A duration option that may be left out (no default): <c>--linger</c>, <c>--duration</c>.</summary>
internal sealed class OptionalDurationOption : Option<TimeSpan?>
{
    public OptionalDurationOption(string name) : base(name)
    {
        HelpName = "DURATION";
        CustomParser = r => DurationOption.Parse(r);
    }
}
