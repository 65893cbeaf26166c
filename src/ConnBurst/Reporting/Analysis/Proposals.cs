using ConnBurst.Reporting.Sections;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Analysis;

/// <summary>
/// The analysis's last step: from the claims and figures of a run to ranked <see cref="Proposal"/>s, by the rows of
/// <see cref="ProposalRules.Table"/> whose evidence passes its thresholds. No row matching is an answer too: "no
/// bottleneck found" for a quiet run, never a guess.
/// </summary>
internal static class Proposals
{
    /// <summary>
    /// Proposals for one run, or one part of it (a peak step, a stage): <paramref name="run"/> its results and
    /// <paramref name="server"/> the monitor's figures over the same time (<see cref="ServerFigures.Of"/> of the whole
    /// recording, or of a window of it). <paramref name="signCost"/> and <paramref name="serverKey"/> default to measuring on
    /// this machine and reading the run's PKI.
    /// </summary>
    public static IReadOnlyList<Proposal> For(ResultsDocument run, ServerFigures? server, BottleneckAnalysis claims,
        ProposalThresholds? thresholds = null, Func<SignCost?>? signCost = null, Func<string?>? serverKey = null)
    {
        var inputs = Inputs(run, server, claims, thresholds, signCost, serverKey);
        var found = new List<Proposal>();
        foreach (var rule in ProposalRules.Table)
        {
            if (rule.Match(inputs) is { } f)
                found.Add(new Proposal(found.Count + 1, rule.Id, f.Change, f.Evidence, f.Effect, f.Command));
        }
        return found;
    }

    /// <summary>
    /// Proposals that compare runs of one server (<see cref="ProposalRules.AcrossRuns"/>), for the runs given together to
    /// analyze: grouped by target, each group's rows in the table's order.
    /// </summary>
    public static IReadOnlyList<Proposal> AcrossRuns(IReadOnlyList<(ResultsDocument Run, ServerFigures? Server,
        BottleneckAnalysis Claims)> runs,
        ProposalThresholds? thresholds = null)
    {
        var t = thresholds ?? new ProposalThresholds();
        var found = new List<Proposal>();
        foreach (var group in runs.Select(r => Inputs(r.Run, r.Server, r.Claims, t, null, null)).GroupBy(x => x.Target))
        {
            var same = group.ToList();
            foreach (var rule in ProposalRules.AcrossRuns)
            {
                if (same.Count >= 2 && rule.Match(same, t) is { } f)
                    found.Add(new Proposal(found.Count + 1, rule.Id, f.Change, f.Evidence, f.Effect, f.Command));
            }
        }
        return found;
    }

    private static ProposalInputs Inputs(ResultsDocument run, ServerFigures? server, BottleneckAnalysis claims, ProposalThresholds? t,
        Func<SignCost?>? signCost, Func<string?>? serverKey) => new()
    {
        Run = run,
        Server = server,
        Generator = run.GeneratorSection(),
        Claims = claims,
        T = t ?? new ProposalThresholds(),
        SignCost = signCost ?? SignCost.OnThisMachine,
        ServerKey = serverKey ?? (() => ServerKey.Of(run)),
    };

    /// <summary>The line shown where a run has no proposal: why there is none.</summary>
    public static string NoneText(BottleneckAnalysis a) => a.Side.Determined
        ? $"no proposal: the {a.Side.Conclusion} shows strain, but no known cause's evidence passes its threshold"
        : "no bottleneck found";
}
