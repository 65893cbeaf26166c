namespace ConnBurst.Reporting.Analysis;

/// <summary>The answer to "where is the bottleneck": one claim per question, each with the figures it rests on.</summary>
/// <remarks><see cref="Functions"/> exists only when the monitor ran with <c>--perf</c>.</remarks>
/// <see cref="Proposals"/> are the last step, ranked (<see cref="Analysis.Proposals"/>); empty when no known cause's
/// evidence passed its threshold, and then <see cref="NoProposal"/> says why.
internal sealed record BottleneckAnalysis(Claim Side, Claim Resource, Claim Threads, Claim? Functions = null)
{
    public IEnumerable<Claim> Claims => Functions is null ? [Side, Resource, Threads] : [Side, Resource, Threads, Functions];

    public IReadOnlyList<Proposal> Proposals { get; init; } = [];

    public string? NoProposal => Proposals.Count == 0 ? Analysis.Proposals.NoneText(this) : null;
}

/// <summary>
/// One claim. <see cref="Conclusion"/> is a short word a script can match (side: server, generator, undetermined;
/// resource: cpu-machine, cpu-core, memory, disk, network, fd-limit, none, undetermined; threads: a thread name or
/// undetermined; functions: the busiest thread's top function, or why perf gave none: perf-missing, not-permitted,
/// not-cpu-bound...). <see cref="Evidence"/> lists the figures, each naming its source.
/// </summary>
internal sealed record Claim(string Question, string Conclusion, string Text, IReadOnlyList<string> Evidence)
{
    public bool Determined => Conclusion != "undetermined";
}
