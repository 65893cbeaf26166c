using System.Globalization;
using ConnBurst.Reporting.Sections;
using ConnBurst.Results;

namespace ConnBurst.Reporting;

/// <summary>
/// The verdicts a report shows: run outcome, errors, and the MQTT benchmark's SLO (average latency, busiest core, or
/// the peak search's own), and the overall verdict over them, so that no renderer judges by a verdict's name.
/// </summary>
internal static class Verdicts
{
    public static IReadOnlyList<Verdict> Judge(ResultsDocument doc, string phase, ServerFigures? monitor, PeakSection? peak,
        long failedTotal, ReportSlo slo)
    {
        var list = new List<Verdict>
        {
            new("outcome", doc.Outcome == "completed", doc.Outcome == "completed" ? "run completed" : $"run ended early: {doc.Outcome}",
                VerdictRole.Outcome),
        };
        if (peak is not null)
        {
            list.Add(new("peak", peak.Rate > 0, peak.Verdict.Length > 0 ? peak.Verdict
                : $"peak {F(peak.Rate)} conn/s (limited by {peak.LimitedBy})", VerdictRole.Slo));
            return list;
        }
        if (doc.Kind == "monitor")
        {
            if (monitor is { } ms) list.Add(CpuVerdict(ms, slo));
            return list;
        }
        if (doc.Counts.Attempted > 0)
        {
            list.Add(new("errors", failedTotal == 0, failedTotal == 0
                ? $"no failed attempts out of {doc.Counts.Attempted:N0}"
                : $"{failedTotal:N0} of {doc.Counts.Attempted:N0} attempts failed ({100.0 * failedTotal / doc.Counts.Attempted:0.##}%)"));
        }

        if (doc.Latency.TryGetValue(phase, out var lat) && lat.Count > 0)
        {
            var ok = lat.Avg < slo.MaxAvgLatencyMs;
            list.Add(new("latency", ok, $"average {phase} latency {F(lat.Avg)} ms {(ok ? "<" : ">=")} {F(slo.MaxAvgLatencyMs)} ms",
                VerdictRole.Slo));
        }
        else
        {
            list.Add(new("latency", null, $"no {phase} latency recorded", VerdictRole.Slo));
        }

        list.Add(monitor is { } s ? CpuVerdict(s, slo)
            : new("cpu", null, "server CPU not judged: no monitor data in these results", VerdictRole.Slo));
        return list;
    }

    private static Verdict CpuVerdict(ServerFigures s, ReportSlo slo)
    {
        var ok = s.MaxCoreBusy <= slo.MaxCpuBusy;
        return new("cpu", ok,
            $"busiest server core (cpu{s.BusiestCore}) peaked at {F(s.MaxCoreBusy)}% busy {(ok ? "<=" : ">")} {F(slo.MaxCpuBusy)}%",
            VerdictRole.Slo);
    }

    /// <summary>
    /// The run in one verdict: the SLO is met when every SLO check that could be judged passed, and not judged when
    /// none could be; the headline is the peak search's own sentence, or every check but a passing outcome.
    /// </summary>
    public static OverallVerdict Overall(IReadOnlyList<Verdict> verdicts, PeakSection? peak)
    {
        var slo = verdicts.Where(v => v.Role == VerdictRole.Slo && v.Passed.HasValue).ToList();
        var headline = peak?.Verdict is { Length: > 0 } pv
            ? pv
            : string.Join("; ", verdicts.Where(v => v.Role != VerdictRole.Outcome || v.Passed == false).Select(v => v.Text));
        return new OverallVerdict(slo.Count == 0 ? null : slo.All(v => v.Passed == true), verdicts.Any(v => v.Passed == false), headline);
    }

    internal static string F(double v) => Tables.Column.SignificantDigits(v);
}
