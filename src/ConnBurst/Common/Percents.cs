using System.Globalization;

namespace ConnBurst.Common;

/// <summary>Percentages as people type them: <c>5</c> and <c>5%</c> both mean five percent, so <c>0.9</c> is 0.9% (docs/CLI.md,
/// "Percents").</summary>
internal static class Percents
{
    public static bool TryParse(string? text, out double percent)
    {
        percent = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim();
        if (t.EndsWith('%')) t = t[..^1];
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < 0 || !double.IsFinite(v))
            return false;
        percent = v;
        return true;
    }
}
