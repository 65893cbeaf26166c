using ConnBurst.Common;

namespace ConnBurst.Reporting.Peak;

/// <summary>The SLO and the search bounds of a peak search, validated once.</summary>
internal sealed record PeakSearchOptions
{
    public double MaxAvgLatencyMs { get; init; } = 500;
    public double MaxCpuBusy { get; init; } = 85;
    /// <summary>Stop bisecting when (failing - passing) / passing is at most this (0.05 = 5%).</summary>
    public double Precision { get; init; } = 0.05;
    /// <summary>The first rate tried; the bracket doubles up from it or halves down.</summary>
    public double StartRate { get; init; } = 100;
    public double MinRate { get; init; } = 1;
    public double MaxRate { get; init; } = 100_000;
    /// <summary>A step whose failed attempts exceed this share of its attempts fails the SLO.</summary>
    public double MaxErrorShare { get; init; } = 0.01;
    public int MaxSteps { get; init; } = 30;

    public PeakSearchOptions Validate()
    {
        if (MaxAvgLatencyMs <= 0) throw new InputException("--max-avg-latency must be positive");
        if (MaxCpuBusy is <= 0 or > 100) throw new InputException("--max-cpu-busy must be in (0, 100]");
        if (Precision is <= 0 or >= 1) throw new InputException("--precision must be between 0% and 100% (e.g. 5%)");
        if (MinRate <= 0 || StartRate < MinRate || MaxRate < StartRate)
            throw new InputException($"rates must satisfy 0 < min ({MinRate}) <= start ({StartRate}) <= max ({MaxRate})");
        if (MaxSteps < 2) throw new InputException("--max-steps must be at least 2");
        return this;
    }

    /// <summary>"5%" or "5" (both five percent; docs/CLI.md, "Percents") to a fraction.</summary>
    public static double ParsePercent(string text, string option) =>
        Percents.TryParse(text, out var v) && v > 0 ? v / 100
        : throw new InputException($"{option}: '{text}' is not a positive percentage (e.g. 5 or 5%)");
}
