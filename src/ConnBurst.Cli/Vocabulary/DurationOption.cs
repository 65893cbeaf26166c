using System.CommandLine;
using System.CommandLine.Parsing;
using ConnBurst.Common;

namespace ConnBurst.Cli;

/// <summary>
/// An option whose value is a duration (<c>500ms</c>, <c>4s</c>, <c>2m</c>; docs/CLI.md, "Durations"): typed <see cref="Duration"/>
/// and parsed by <see cref="Durations"/>, so a bad one is the parse's one-line error and every command reads the same spelling.
/// </summary>
internal sealed class DurationOption : Option<Duration>
{
    public DurationOption(string name) : base(name)
    {
        HelpName = "DURATION";
        CustomParser = Parse;
    }

    internal static Duration Parse(ArgumentResult r) =>
        TypedValue.Parse<TimeSpan>(r, Durations.TryParse, "a duration (use e.g. 500ms, 4s, 2m, 1h)");
}

/// <summary>A duration option that may be left out (no default): <c>--linger</c>, <c>--duration</c>.</summary>
internal sealed class OptionalDurationOption : Option<Duration?>
{
    public OptionalDurationOption(string name) : base(name)
    {
        HelpName = "DURATION";
        CustomParser = r => DurationOption.Parse(r);
    }
}

/// <summary>A duration as read from the command line: a <see cref="TimeSpan"/> that --help prints as typed (<c>10s</c>, not
/// <c>00:00:10</c>).</summary>
internal readonly record struct Duration(TimeSpan Value)
{
    public static implicit operator TimeSpan(Duration d) => d.Value;
    public static implicit operator Duration(TimeSpan t) => new(t);
    public override string ToString() => Durations.Format(Value);
}
