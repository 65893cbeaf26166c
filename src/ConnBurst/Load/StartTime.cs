using System.Globalization;
using ConnBurst.Common;

namespace ConnBurst.Load;

/// <summary>
/// <c>burst --start-at</c>: the wall-clock instant that is the schedule's t0, so agents on separate machines start
/// together without talking to each other (their clocks' agreement is the operator's part: NTP or chrony).
/// </summary>
internal static class StartTime
{
    /// <summary>
    /// RFC 3339 in UTC (<c>2026-12-01T23:00:00Z</c>, fractions allowed) or <c>+DURATION</c> from
    /// <paramref name="now"/> (<c>+30s</c>). A time that has passed is refused: the agent would start late, alone.
    /// </summary>
    public static DateTimeOffset Parse(string text, DateTimeOffset now, string what = "--start-at")
    {
        var s = text.Trim();
        DateTimeOffset at;
        if (s.StartsWith('+'))
        {
            if (!Durations.TryParse(s[1..], out var after))
                throw new InputException($"{what}: '{text}' is not +DURATION (e.g. +30s, +2m)");
            at = now + after;
        }
        else if (!(s.EndsWith('Z') || s.EndsWith('z'))
                 || !DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture,
                 DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at)
                 || !s.Contains('T', StringComparison.OrdinalIgnoreCase))
        {
            throw new InputException($"{what}: '{text}' is not an RFC 3339 UTC time (e.g. 2026-12-01T23:00:00Z) or +DURATION (e.g. +30s)");
        }

        if (at <= now)
            throw new InputException($"{what}: {Format(at)} has passed (now {Format(now)}); give a later time or +DURATION");
        return at;
    }

    /// <summary>RFC 3339 UTC with milliseconds, as written into results.</summary>
    public static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
