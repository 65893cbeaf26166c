namespace ConnBurst.Tests.Architecture;

/// <summary>
/// No line of C# under src/, tests/ or bench/ is longer than 140 characters (.editorconfig's max_line_length,
/// which Roslyn does not enforce). Lines inside a raw or verbatim string literal that spans lines are data, not code,
/// and are skipped: they cannot be wrapped without changing the string.
/// </summary>
public sealed class LineLengthTests
{
    private const int MaxLength = 140;

    [Fact]
    public void NoSourceLineIsLongerThan140CharactersOutsideRawAndVerbatimStrings()
    {
        var root = Infrastructure.Repo.Root;
        var files = new[] { "src", "tests", "bench" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories))
            .Where(Ours)
            .ToList();
        Assert.True(files.Count > 100, $"only {files.Count} source files found");
        var problems = files
            .SelectMany(f => TooLong(File.ReadAllText(f))
                .Select(l => $"{Path.GetRelativePath(root, f).Replace('\\', '/')}:{l.Line}: {l.Length} characters"))
            .ToList();
        Assert.True(problems.Count == 0, $"{problems.Count} lines longer than {MaxLength} characters:\n" + string.Join("\n", problems));
    }

    private static bool Ours(string path) =>
        !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) &&
        !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    /// <summary>The lines (1-based) longer than the limit, except those that start inside a multi-line raw or verbatim literal.</summary>
    private static IEnumerable<(int Line, int Length)> TooLong(string text)
    {
        var literals = new List<(int Start, int End)>();
        SkipCode(text, 0, literals, inHole: false);
        var start = 0;
        for (var n = 1; start <= text.Length; n++)
        {
            var end = text.IndexOf('\n', start);
            if (end < 0) end = text.Length;
            var length = end - start - (end > start && text[end - 1] == '\r' ? 1 : 0);
            var lineStart = start;
            if (length > MaxLength && !literals.Any(l => l.Start < lineStart && lineStart < l.End)) yield return (n, length);
            start = end + 1;
        }
    }

    /// <summary>Scans code from <paramref name="i"/>, recording raw and verbatim literals; in an interpolation hole, stops at its
    /// closing brace.</summary>
    private static int SkipCode(string s, int i, List<(int Start, int End)> literals, bool inHole)
    {
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '/' && At(s, i + 1, '/'))
            {
                var eol = s.IndexOf('\n', i);
                i = eol < 0 ? s.Length : eol;
                continue;
            }
            if (c == '/' && At(s, i + 1, '*'))
            {
                var close = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = close < 0 ? s.Length : close + 2;
                continue;
            }
            if (c == '\'')
            {
                i = SkipChar(s, i);
                continue;
            }
            if (c is '"' or '$' or '@')
            {
                var quote = i;
                while (quote < s.Length && s[quote] is '$' or '@') quote++;
                if (quote < s.Length && s[quote] == '"')
                {
                    i = SkipString(s, i, quote, literals);
                    continue;
                }
            }
            if (c == '}' && inHole && depth == 0) return i;
            if (c == '{') depth++;
            else if (c == '}') depth--;
            i++;
        }
        return i;
    }

    private static int SkipChar(string s, int i)
    {
        if (!At(s, i + 1, '\\')) return Math.Min(i + 3, s.Length);
        var close = s.IndexOf('\'', i + 3);
        return close < 0 ? s.Length : close + 1;
    }

    private static int SkipString(string s, int start, int quote, List<(int Start, int End)> literals)
    {
        var prefix = s[start..quote];
        var quotes = 0;
        while (quote + quotes < s.Length && s[quote + quotes] == '"') quotes++;
        if (quotes >= 3)
        {
            var close = s.IndexOf(new string('"', quotes), quote + quotes, StringComparison.Ordinal);
            var rawEnd = close < 0 ? s.Length : close + quotes;
            literals.Add((start, rawEnd));
            return rawEnd;
        }
        if (quotes == 2) return quote + 2; // ""
        var verbatim = prefix.Contains('@');
        var interpolated = prefix.Contains('$');
        var i = quote + 1;
        while (i < s.Length)
        {
            var c = s[i];
            if (verbatim && c == '"' && At(s, i + 1, '"')) i += 2;
            else if (c == '"' || (!verbatim && c == '\n')) break;
            else if (!verbatim && c == '\\') i += 2;
            else if (interpolated && c == '{' && !At(s, i + 1, '{')) i = SkipCode(s, i + 1, literals, inHole: true) + 1;
            else if (interpolated && c is '{' or '}') i += 2;
            else i++;
        }
        var end = Math.Min(i + 1, s.Length);
        if (verbatim) literals.Add((start, end));
        return end;
    }

    private static bool At(string s, int i, char c) => i < s.Length && s[i] == c;
}
