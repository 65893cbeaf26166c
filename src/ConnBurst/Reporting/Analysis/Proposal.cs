using System.Text.Json.Serialization;

namespace ConnBurst.Reporting.Analysis;

/// <summary>
/// One optimisation the evidence of a run points to: the change, the figures of this run that point to it, the effect
/// to expect with where that figure comes from, and the ConnBurst command that checks it. <see cref="Rank"/> 1 comes first.
/// </summary>
internal sealed record Proposal(
    [property: JsonPropertyName("rank")] int Rank,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("change")] string Change,
    [property: JsonPropertyName("evidence")] IReadOnlyList<string> Evidence,
    [property: JsonPropertyName("effect")] string Effect,
    [property: JsonPropertyName("command")] string Command);
