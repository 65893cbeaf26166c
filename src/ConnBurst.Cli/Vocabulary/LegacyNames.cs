using System.CommandLine;
using System.CommandLine.Parsing;

namespace ConnBurst.Cli;

/// <summary>
/// Renamed options keep working under their old spelling (docs/CLI.md, "Renamed options"): the old name is a hidden option of
/// its own whose value feeds the new option, and using it prints one line on stderr naming the new spelling. Each rename is
/// one <see cref="Add{TOld,T}"/> call beside the command's option list, so the renames of a command can be read in one place.
/// </summary>
internal static class LegacyNames
{
    /// <summary>
    /// <paramref name="oldName"/> becomes a hidden spelling of <paramref name="current"/>, converted by <paramref name="convert"/>
    /// (e.g. a number of milliseconds into a duration). It counts only when the new name is not given.
    /// </summary>
    public static Option<TOld> Add<TOld, T>(Command command, Option<T> current, string oldName, Func<TOld, T> convert,
        string? hint = null) =>
        Add<TOld, T>(command, current, oldName, (old, _) => convert(old), hint, alsoWhenGiven: false);

    /// <summary>The same type under the old name.</summary>
    public static Option<T> Add<T>(Command command, Option<T> current, string oldName)
    {
        var parser = current.CustomParser; // the old spelling reads its value as the new one does (a duration, a percent)
        var old = Add<T, T>(command, current, oldName, old => old);
        old.CustomParser = parser;
        return old;
    }

    /// <summary>
    /// <paramref name="oldName"/> changes part of <paramref name="current"/>'s value (<paramref name="merge"/>: old value, value so
    /// far), given or default: how <c>--port N</c> still sets the port of <c>--listen HOST:PORT</c>.
    /// </summary>
    public static Option<TOld> AddPart<TOld>(Command command, Option<string> current, string oldName, Func<TOld, string, string> merge,
        string hint) =>
        Add(command, current, oldName, merge, hint, alsoWhenGiven: true);

    private static Option<TOld> Add<TOld, T>(Command command, Option<T> current, string oldName, Func<TOld, T, T> merge,
        string? hint, bool alsoWhenGiven)
    {
        var old = new LegacyOption<TOld>(oldName, current) { Hidden = true, Description = $"Old spelling of {current.Name}" };
        old.Validators.Add(r => Console.Error.WriteLine(
            $"connburst {CommandNames.Of(r.Parent as CommandResult)}: {oldName} is now {hint ?? current.Name}; the old spelling " +
            "will go in a later release"));
        command.Options.Add(old);

        var defaults = current.DefaultValueFactory;
        current.DefaultValueFactory = r =>
        {
            var soFar = defaults is null ? default! : defaults(r);
            return r.GetResult(old) is { } given && Value<TOld>(given) is (true, var v) ? merge(v, soFar) : soFar;
        };
        if (alsoWhenGiven)
        {
            var parser = current.CustomParser;
            current.CustomParser = r =>
            {
                var value = parser is not null ? parser(r) : (T)(object)r.Tokens[^1].Value;
                return r.GetResult(old) is { } given && Value<TOld>(given) is (true, var v) ? merge(v, value!) : value;
            };
        }
        return old;
    }

    /// <summary>The old spelling's value; a bad one is the parse's own error on that option, not an exception here.</summary>
    private static (bool Ok, TValue Value) Value<TValue>(OptionResult given)
    {
        try
        {
            return (!given.Errors.Any(), given.GetValueOrDefault<TValue>());
        }
        catch (InvalidOperationException)
        {
            return (false, default!);
        }
    }
}

/// <summary>An old spelling made by <see cref="LegacyNames"/>: hidden, feeding <see cref="Current"/>.</summary>
internal interface ILegacyOption
{
    Option Current { get; }
}

internal sealed class LegacyOption<T>(string name, Option current) : Option<T>(name), ILegacyOption
{
    public Option Current { get; } = current;
}

/// <summary>The whole name of a command as typed after <c>connburst</c> ("serve chat"), for error lines and notices.</summary>
internal static class CommandNames
{
    public static string Of(CommandResult? command)
    {
        var names = new List<string>();
        for (var c = command; c is not null; c = c.Parent as CommandResult)
            if (c.Command is not RootCommand) names.Insert(0, c.Command.Name);
        return string.Join(' ', names);
    }
}
