using System.Globalization;

namespace ConnBurst.Common;

/// <summary>Durations as people type them: <c>500ms</c>, <c>4s</c>, <c>2m</c>, <c>1h</c>, or a bare number of seconds.</summary>
internal static class Durations
{
    public static TimeSpan Parse(string text, string what = "duration")
    {
        if (TryParse(text, out var value)) return value;
        throw new InputException($"{what}: '{text}' is not a duration (use e.g. 500ms, 4s, 2m, 1h)");
    }

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim().ToLowerInvariant();
        (string unit, double scaleMs) = s switch
        {
            _ when s.EndsWith("ms", StringComparison.Ordinal) => ("ms", 1.0),
            _ when s.EndsWith("us", StringComparison.Ordinal) => ("us", 0.001),
            _ when s.EndsWith('s') => ("s", 1000.0),
            _ when s.EndsWith('m') => ("m", 60_000.0),
            _ when s.EndsWith('h') => ("h", 3_600_000.0),
            _ => ("", 1000.0),
        };
        var number = s[..^unit.Length];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0 || double.IsInfinity(n))
            return false;
        value = TimeSpan.FromMilliseconds(n * scaleMs);
        return true;
    }

    /// <summary>The shortest exact spelling, for printing effective configuration.</summary>
    public static string Format(TimeSpan t)
    {
        if (t.TotalMilliseconds % 3_600_000 == 0 && t.TotalHours >= 1) return $"{t.TotalHours:0}h";
        if (t.TotalMilliseconds % 60_000 == 0 && t.TotalMinutes >= 1) return $"{t.TotalMinutes:0}m";
        if (t.TotalMilliseconds % 1000 == 0 && t.TotalSeconds >= 1) return $"{t.TotalSeconds:0}s";
        return $"{t.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";
    }
}
