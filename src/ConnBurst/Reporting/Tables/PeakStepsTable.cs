using ConnBurst.Reporting.Sections;

namespace ConnBurst.Reporting.Tables;

/// <summary>The peak search's steps, one row each in the order they ran: the report's table and peak's lines as it searches.</summary>
internal static class PeakStepsTable
{
    public static readonly Column Step = Column.Count("step");
    /// <summary>The rate a step offered (connections/s).</summary>
    public static readonly Column Rate = Column.Rate("rate");
    public static readonly Column Avg = Column.Milliseconds("avg");
    public static readonly Column P99 = Column.Milliseconds("p99");
    /// <summary>The busiest server core's highest busy percent.</summary>
    public static readonly Column BusiestCore = Column.Percent("busiest core");
    public static readonly Column Attempted = Column.Count("attempted");
    public static readonly Column Connected = Column.Count("connected");
    public static readonly Column Failed = Column.Count("failed");
    public static readonly Column Outcome = Column.Label("outcome");

    /// <summary>A staircase's stage, its target rate and what the generator achieved of it.</summary>
    public static readonly Column Stage = Column.Count("stage");
    public static readonly Column Target = Column.Rate("target");
    public static readonly Column Achieved = Column.Rate("achieved");

    private static readonly Column[] Columns = [Step, Rate, Avg, P99, BusiestCore, Attempted, Connected, Failed, Outcome];
    private static readonly Column[] StageColumns = [Stage, Target, Achieved, Avg, P99, BusiestCore, Attempted, Connected, Failed, Outcome];

    public static Table Of(IReadOnlyList<PeakStepRecord> steps) => Of(steps, firstNumber: 1);

    /// <summary>A peak section's steps; a staircase's as its stages, the peak's stage marked.</summary>
    public static Table Of(PeakSection peak) => peak.Method == "staircase"
        ? new(StageColumns, peak.Steps.Select(s => (IReadOnlyList<Cell>)
        [
            s.Stage ?? 0, s.Rate, s.AchievedRate, s.AvgLatencyMs, s.P99LatencyMs, s.MaxCoreBusy, s.Attempted, s.Connected, s.Failed,
            OutcomeText(s) + (s.Outcome == "pass" && peak.Rate > 0 && s.Rate == peak.Rate ? " <- peak" : ""),
        ]).ToList())
        : Of(peak.Steps);

    /// <summary>Steps numbered from <paramref name="firstNumber"/>: a step printed alone as it finishes keeps its place.</summary>
    public static Table Of(IReadOnlyList<PeakStepRecord> steps, int firstNumber) =>
        new(Columns, steps.Select((s, i) => (IReadOnlyList<Cell>)
        [
            firstNumber + i, s.Rate, s.AvgLatencyMs, s.P99LatencyMs, s.MaxCoreBusy, s.Attempted, s.Connected, s.Failed, OutcomeText(s),
        ]).ToList());

    private static string OutcomeText(PeakStepRecord s) =>
        s.Outcome + (s.NotableSteal is { } steal ? $" (steal up to {steal:0}% of a core)" : "") + (s.Note is null ? "" : $" ({s.Note})");
}
