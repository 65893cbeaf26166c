namespace ConnBurst.Reporting.Analysis;

/// <summary>The proposals as text lines, one layout for analyze and the text report.</summary>
internal static class ProposalText
{
    public static IEnumerable<string> Lines(BottleneckAnalysis a, string indent) =>
        Lines(a.Proposals, a.NoProposal, indent, "proposals, most promising first:");

    /// <param name="none">What to say when there is no proposal (a run's "no bottleneck found"); null: say nothing.</param>
    public static IEnumerable<string> Lines(IReadOnlyList<Proposal> proposals, string? none, string indent, string heading)
    {
        if (proposals.Count == 0)
        {
            if (none is not null) yield return $"{indent}proposals: {none}";
            yield break;
        }
        yield return indent + heading;
        foreach (var p in proposals)
        {
            yield return $"{indent}{p.Rank}. [{p.Id}] {p.Change}";
            foreach (var e in p.Evidence) yield return $"{indent}   - {e}";
            yield return $"{indent}   expected: {p.Effect}";
            yield return $"{indent}   check: {p.Command}";
        }
    }
}
