using ConnBurst.Results;

namespace ConnBurst.Tests.Infrastructure;

/// <summary>What a running burst or chat has journaled so far: the condition a test waits on instead of a fixed sleep.</summary>
internal static class Journals
{
    /// <summary>
    /// Waits until a journal in <paramref name="dir"/> (the first matching <paramref name="pattern"/>) holds an interval that
    /// matches, or <paramref name="count"/> of them; returns the last one counted.
    /// </summary>
    public static async Task<IntervalSnapshot> WaitForAsync(string dir, Func<IntervalSnapshot, bool> match, TimeSpan timeout,
        int count = 1, string pattern = "*" + ResultsJournal.Suffix)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var journal = Directory.Exists(dir) ? Directory.GetFiles(dir, pattern).FirstOrDefault() : null;
            if (journal is not null && ResultsJournal.ReadIntervals(journal).Where(match).ToList() is { } found && found.Count >= count)
                return found[count - 1];
            await Task.Delay(100);
        }
        throw new TimeoutException($"no {count} matching interval(s) journaled in {dir} within {timeout}");
    }
}
