using System.Text.Json.Serialization;
using ConnBurst.Reporting.Analysis;

namespace ConnBurst.Reporting.Sections;

/// <summary>
/// "firstFailingStep": a peak search's analysis of the first step that failed its SLO, the step where the limit first
/// showed: its rate and outcome, the bottleneck claims and the proposals, as the step's own results and monitor summary
/// gave them when the search ran.
/// </summary>
internal sealed class StepAnalysisSection
{
    public const string Name = "firstFailingStep";

    [JsonPropertyName("rate")] public double Rate { get; set; }
    [JsonPropertyName("outcome")] public string Outcome { get; set; } = "";
    [JsonPropertyName("claims")] public List<ClaimRecord> Claims { get; set; } = [];
    [JsonPropertyName("proposals")] public List<Proposal> Proposals { get; set; } = [];
    [JsonPropertyName("noProposal")] public string? NoProposal { get; set; }

    public static StepAnalysisSection Of(PeakStepRecord step, BottleneckAnalysis a) => new()
    {
        Rate = step.Rate,
        Outcome = step.Outcome,
        Claims = a.Claims.Select(c => new ClaimRecord { Question = c.Question, Conclusion = c.Conclusion, Text = c.Text,
            Evidence = [.. c.Evidence] })
            .ToList(),
        Proposals = [.. a.Proposals],
        NoProposal = a.NoProposal,
    };

    /// <summary>The analysis again, for the renderers (which show a run's analysis and this one alike).</summary>
    public BottleneckAnalysis ToAnalysis()
    {
        Claim Find(string q) => Claims.FirstOrDefault(c => c.Question == q) is { } c
            ? new Claim(c.Question, c.Conclusion, c.Text, c.Evidence) : new Claim(q, "undetermined", "not recorded", []);
        var functions = Claims.Any(c => c.Question == "functions") ? Find("functions") : null;
        return new BottleneckAnalysis(Find("side"), Find("resource"), Find("threads"), functions) { Proposals = Proposals };
    }

    internal sealed class ClaimRecord
    {
        [JsonPropertyName("question")] public string Question { get; set; } = "";
        [JsonPropertyName("conclusion")] public string Conclusion { get; set; } = "";
        [JsonPropertyName("text")] public string Text { get; set; } = "";
        [JsonPropertyName("evidence")] public List<string> Evidence { get; set; } = [];
    }
}
