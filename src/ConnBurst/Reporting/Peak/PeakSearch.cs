using System.Globalization;
using ConnBurst.Reporting.Sections;

namespace ConnBurst.Reporting.Peak;

/// <summary>
/// The peak-rate search: the highest offered rate whose step meets the SLO (average connect latency under the
/// limit, every server core at or under the busy limit, few errors). It brackets first (doubling from the start
/// rate while steps pass, halving while they fail), then bisects the bracket to the precision. A step the generator
/// could not offer ends the search: beyond it the figures describe the generator, not the server.
/// Pure apart from the step runner, so it is tested against a deterministic fake.
/// </summary>
internal sealed class PeakSearch(PeakSearchOptions options, IPeakStepRunner runner)
{
    private readonly PeakSearchOptions _o = options.Validate();

    /// <summary>Called after every step (for progress output).</summary>
    public Action<PeakStepRecord>? OnStep { get; init; }

    private PeakSection? _section;

    public async Task<PeakSection> RunAsync(CancellationToken ct)
    {
        var section = _section = new PeakSection { Slo = new PeakSlo { MaxAvgLatencyMs = _o.MaxAvgLatencyMs, MaxCpuBusy = _o.MaxCpuBusy,
            Precision = _o.Precision } };
        double? pass = null, fail = null;
        var rate = _o.StartRate;
        string? stop = null;

        // Bracket. A generator-limited step above a passing one ends the search (beyond it the figures describe the
        // generator); before any step passed it only says "lower", like a failing step.
        while (section.Steps.Count < _o.MaxSteps && !ct.IsCancellationRequested)
        {
            var step = await Step(section, rate, ct);
            if (step.GeneratorLimited && pass is not null) { stop = "generator"; fail = rate; break; }
            if (Passed(step)) pass = rate; else fail = rate;
            if (pass is not null && fail is not null) break;
            if (pass is not null)
            {
                if (rate >= _o.MaxRate) { stop = "ceiling"; break; }
                rate = Math.Min(rate * 2, _o.MaxRate);
            }
            else
            {
                if (rate <= _o.MinRate) { stop = "floor"; break; }
                rate = Math.Max(rate / 2, _o.MinRate);
            }
        }

        // Bisect.
        while (stop is null && pass is { } lo && fail is { } hi && (hi - lo) / lo > _o.Precision
               && section.Steps.Count < _o.MaxSteps && !ct.IsCancellationRequested)
        {
            var mid = Math.Round((lo + hi) / 2, 1);
            if (mid <= lo || mid >= hi) break;
            var step = await Step(section, mid, ct);
            if (step.GeneratorLimited) { stop = "generator"; fail = mid; break; }
            if (Passed(step)) pass = mid; else fail = mid;
        }

        section.Rate = pass ?? 0;
        section.FailedRate = fail;
        // The bracket's top was a step the generator could not offer: the server's own limit was not reached.
        if (stop is null or "floor" && fail is { } top && section.Steps.LastOrDefault(x => x.Rate == top)?.GeneratorLimited == true)
            stop = "generator";
        section.LimitedBy = stop switch
        {
            "generator" => "generator",
            "ceiling" => "none",
            _ => fail is null ? "none" : "server",
        };
        section.Verdict = VerdictText(section, stop, ct.IsCancellationRequested);
        return section;
    }

    /// <summary>
    /// What the steps so far say, when a step was cut short (Ctrl-C, a lost server): the highest passing rate and the
    /// lowest failing rate above it, with a verdict that says the search did not finish.
    /// </summary>
    public PeakSection Partial()
    {
        var s = _section ?? new PeakSection();
        var passing = s.Steps.Where(Passed).Select(x => x.Rate).DefaultIfEmpty(0).Max();
        s.Rate = passing;
        s.FailedRate = s.Steps.Where(x => !Passed(x) && x.Rate > passing).Select(x => (double?)x.Rate).Min();
        s.LimitedBy = s.Steps.Any(x => x.GeneratorLimited) ? "generator" : s.FailedRate is null ? "none" : "server";
        s.Verdict = $"interrupted after {s.Steps.Count} step(s): " + (passing > 0
            ? $"peak >= {F(passing)} conn/s{(s.FailedRate is { } f ? $", < {F(f)} conn/s" : "")} (search not finished)"
            : "no step met the SLO yet");
        return s;
    }

    private async Task<PeakStepRecord> Step(PeakSection section, double rate, CancellationToken ct)
    {
        var r = await runner.RunStepAsync(rate, ct);
        var record = new PeakStepRecord
        {
            Rate = rate,
            AvgLatencyMs = r.AvgLatencyMs,
            P99LatencyMs = r.P99LatencyMs,
            MaxCoreBusy = r.MaxCoreBusy,
            MaxCoreSteal = r.MaxCoreSteal,
            Attempted = r.Attempted,
            Connected = r.Connected,
            Failed = r.Failed,
            GeneratorLimited = r.GeneratorLimited,
            Note = r.Note,
        };
        record.Outcome = Classify(record, _o);
        section.Steps.Add(record);
        OnStep?.Invoke(record);
        return record;
    }

    /// <summary>A step's (or a stage's) verdict against the SLO: pass, fail-errors, fail-latency, fail-cpu, or generator (the
    /// generator could not offer the rate: generator-limited). One rule for the bisecting search and the staircase.</summary>
    internal static string Classify(PeakStepRecord s, PeakSearchOptions o)
    {
        if (s.GeneratorLimited) return "generator";
        if (s.Attempted > 0 && s.Failed > o.MaxErrorShare * s.Attempted) return "fail-errors";
        if (s.Connected == 0) return "fail-errors";
        if (s.AvgLatencyMs >= o.MaxAvgLatencyMs) return "fail-latency";
        if (s.MaxCoreBusy is { } busy && busy > o.MaxCpuBusy) return "fail-cpu";
        return "pass";
    }

    internal static bool Passed(PeakStepRecord s) => s.Outcome == "pass";

    private string VerdictText(PeakSection s, string? stop, bool cancelled)
    {
        var slo = $"avg connect latency < {F(_o.MaxAvgLatencyMs)} ms, every server core <= {F(_o.MaxCpuBusy)}% busy";
        var prefix = cancelled ? "interrupted: " : "";
        if (stop == "generator")
        {
            return prefix + (s.Rate > 0
                ? $"peak >= {F(s.Rate)} conn/s ({slo}); the generator could not offer {F(s.FailedRate ?? 0)} conn/s, so the server's " +
                $"limit was not reached"
                : $"no peak found: the generator could not offer even {F(s.FailedRate ?? 0)} conn/s");
        }

        if (stop == "ceiling")
            return prefix + $"peak >= {F(s.Rate)} conn/s: every step met the SLO ({slo}) up to the search ceiling";
        if (s.Rate == 0)
            return prefix + $"no rate down to {F(_o.MinRate)} conn/s met the SLO ({slo})";
        if (s.FailedRate is { } hi)
        {
            var failing = s.Steps.Last(x => x.Rate == hi);
            return prefix
                + $"peak {F(s.Rate)} conn/s (bracket {F(s.Rate)}..{F(hi)}, {F(100 * (hi - s.Rate) / s.Rate)}% wide) with {slo}; at " +
                $"{F(hi)} conn/s: {Why(failing)}";
        }
        return prefix + $"peak >= {F(s.Rate)} conn/s ({slo}); the search stopped after {s.Steps.Count} steps";
    }

    private string Why(PeakStepRecord s) => Why(s, _o);

    /// <summary>Why a step or stage failed, in words with its figures.</summary>
    internal static string Why(PeakStepRecord s, PeakSearchOptions o) => s.Outcome switch
    {
        "fail-latency" => $"avg latency {F(s.AvgLatencyMs)} ms >= {F(o.MaxAvgLatencyMs)} ms",
        "fail-cpu" => $"a server core reached {F(s.MaxCoreBusy ?? 0)}% busy > {F(o.MaxCpuBusy)}%" + StealOf(s),
        "fail-errors" => $"{s.Failed} of {s.Attempted} attempts failed",
        "generator" => $"the generator could not offer it ({s.Note})",
        _ => s.Outcome,
    };

    /// <summary>
    /// On a virtual machine a core's busy figure (100 - idle) includes time the hypervisor gave other guests: said beside
    /// a CPU verdict, since a neighbour's load can fail a step the server itself did not.
    /// </summary>
    private static string StealOf(PeakStepRecord s) =>
        s.NotableSteal is { } steal ? $" (up to {F(steal)}% of a core's sample was the hypervisor's steal)" : "";

    internal static string F(double v) => v.ToString(v >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture);
}
