using System.CommandLine.Parsing;

namespace ConnBurst.Cli;

/// <summary>
/// The one way a typed option reads its text (a duration, a percent): the last token, parsed by the project's own parser; a
/// bad one is an error on the parse ("--interval: '3x' is not a duration (...)"), so it reaches the user as one line, exit 2.
/// </summary>
internal static class TypedValue
{
    public delegate bool TryParse<T>(string? text, out T value);

    public static T Parse<T>(ArgumentResult r, TryParse<T> tryParse, string expected)
    {
        var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
        if (tryParse(text, out var value)) return value;
        r.AddError($"{(r.Parent as OptionResult)?.Option.Name}: '{text}' is not {expected}");
        return default!;
    }
}
