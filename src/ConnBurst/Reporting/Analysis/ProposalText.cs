namespace ConnBurst.Reporting.Analysis;

/// <summary>The proposals as text lines, one layout for analyze and the text report.</summary>
internal static class ProposalText
{
    public static IEnumerable<string> Lines(BottleneckAnalysis a, string indent)
    {
        if (a.NoProposal is { } none)
        {
            yield return $"{indent}proposals: {none}";
            yield break;
        }
        yield return $"{indent}proposals, most promising first:";
        foreach (var p in a.Proposals)
        {
            yield return $"{indent}{p.Rank}. [{p.Id}] {p.Change}";
            foreach (var e in p.Evidence) yield return $"{indent}   - {e}";
            yield return $"{indent}   expected: {p.Effect}";
            yield return $"{indent}   check: {p.Command}";
        }
    }
}
