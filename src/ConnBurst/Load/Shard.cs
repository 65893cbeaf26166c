using System.Globalization;
using ConnBurst.Common;

namespace ConnBurst.Load;

/// <summary>
/// One part of a burst plan (docs/DECISIONS.md, "Scale-out: one plan in shards, no controller"): part <see cref="Index"/> of <see
/// cref="Count"/> takes the global
/// clients Index, Index+Count, Index+2·Count…, paces rate/Count, and its first attempt is due Index/rate after t0, so
/// the union of every part's due times is exactly the whole run's open-loop schedule. The one place this arithmetic
/// lives: agents (<c>burst --shard I/N</c>) and the worker processes inside one agent (<see cref="Within"/>) use it alike.
/// </summary>
internal readonly record struct Shard(int Index, int Count)
{
    /// <summary>The whole run: one part.</summary>
    public static readonly Shard Whole = new(0, 1);

    /// <summary>The largest N of <c>--shard I/N</c>: far more agents than any benchmark needs, small enough to check.</summary>
    public const int MaxCount = 10_000;

    public bool IsWhole => Count == 1;

    /// <summary>Parses <c>I/N</c> (0-based I, 1 ≤ N ≤ <see cref="MaxCount"/>), with a one-line error naming the option.</summary>
    public static Shard Parse(string text, string what = "--shard")
    {
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            throw new InputException($"{what}: '{text}' is not I/N (agent I of N, 0-based, e.g. 0/3)");
        }

        if (n is < 1 or > MaxCount) throw new InputException($"{what}: '{text}': N must be between 1 and {MaxCount}");
        if (i >= n) throw new InputException($"{what}: '{text}': I must be below N (the agents are 0 to {n - 1})");
        return new Shard(i, n);
    }

    /// <summary>Part <paramref name="inner"/> of this part, as a part of the whole run (a worker inside an agent).</summary>
    public Shard Within(Shard inner) => new(Index + Count * inner.Index, Count * inner.Count);

    /// <summary>How many of <paramref name="total"/> global clients this part takes.</summary>
    public int ClientsOf(int total) => total > Index ? (total - Index + Count - 1) / Count : 0;

    /// <summary>The global number of this part's <paramref name="ordinal"/>-th client.</summary>
    public int GlobalClient(int ordinal) => Index + ordinal * Count;

    /// <summary>The position of global client <paramref name="global"/> among this part's clients.</summary>
    public int OrdinalOf(int global) => (global - Index) / Count;

    /// <summary>This part's share of the run's attempt rate.</summary>
    public double RateOf(double rate) => rate / Count;

    /// <summary>Seconds from the run's t0 to this part's first attempt: its slot in the interleaved global schedule.</summary>
    public double FirstDueSeconds(double rate) => Index / rate;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
