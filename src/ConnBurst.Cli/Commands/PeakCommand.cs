using System.CommandLine;
using ConnBurst.Cli.Progress;
using ConnBurst.Common;
using ConnBurst.Reporting.Peak;
using ConnBurst.Results;
using ConnBurst.Runs;

namespace ConnBurst.Cli.Commands;

/// <summary>
/// <c>connburst peak</c>: the highest connection rate whose average connect latency stays under the limit while no
/// server core is busier than the limit (the MQTT benchmark's SLO), found by short fixed-rate bursts, bracketed then bisected.
/// </summary>
internal static class PeakCommand
{
    public static Command Create()
    {
        var binder = BurstOptionsBinder.ForPeak();
        var monitor = new Option<string?>("--monitor") { Description =
            "The server's monitor HOST:PORT (connburst monitor): per-core CPU for every step" };
        var token = new Option<string?>("--monitor-token") { Description = "The monitor's AUTH token (or CONNBURST_MONITOR_TOKEN)" };
        var precision = new Option<string>("--precision") { Description = "Stop when the bracket is this narrow (5% or 0.05)",
            DefaultValueFactory = _ => "5%" };
        var stepDuration = new Option<string>("--step-duration") { Description =
            "How long each step offers its rate (rate x this = fresh clients)", DefaultValueFactory = _ => "4s" };
        var startRate = new Option<double>("--start-rate") { Description =
            "First rate tried (conn/s); doubles while steps pass, halves while they fail", DefaultValueFactory = _ => 100 };
        var minRate = new Option<double>("--min-rate") { Description = "Lowest rate tried", DefaultValueFactory = _ => 5 };
        var maxRate = new Option<double>("--max-rate") { Description = "Search ceiling (conn/s)", DefaultValueFactory = _ => 20_000 };
        var maxSteps = new Option<int>("--max-steps") { Description = "Most steps to run", DefaultValueFactory = _ => 16 };
        var maxErrors = new Option<string>("--max-errors") { Description = "A step with more failed attempts than this share fails",
            DefaultValueFactory = _ => "1%" };
        var maxLag = new Option<string>("--max-generator-lag") { Description =
            "Scheduler lag p99 at which the generator, not the server, is the limit", DefaultValueFactory = _ => "100ms" };
        var html = new Option<string?>("--html") { Description = "HTML report (default: beside the results JSON)" };
        var staircase = new Option<bool>("--staircase") { Description =
            "Search with staircases instead of bracketing and bisecting: a coarse one (--start-rate doubling, one stage per " +
            "--step-duration) as one staged burst, then four stages between its last pass and first fail" };
        var from = new Option<string[]>("--from") { Description =
            "Judge staged runs instead of searching: burst --stages results (files, directories, or kubectl logs of --print-results " +
            "agents; several agents and a monitor result are merged first). Each stage gets pass, fail-latency, fail-cpu, " +
            "fail-errors or generator(-limited); the peak is the highest passing stage before the first failing one",
            AllowMultipleArgumentsPerToken = true };
        var slo = SloOptions.Create();
        var cmd = new Command("peak",
            "Find the peak connection rate that keeps average connect latency under the limit with no server core over the busy limit.")
        {
            monitor, token, precision, stepDuration, startRate, minRate, maxRate, maxSteps, maxErrors, maxLag, html, from, staircase,
        };
        binder.AddTo(cmd);
        slo.AddTo(cmd);
        CommandAction.Set(cmd, async (p, ct) =>
        {
            // Before any socket exists; worker processes inherit it. The generator too pays a thread-pool hand-off per
            // handshake step otherwise: 13% more CPU per connect, medians of 3 alternating rounds (docs/DECISIONS.md).
            Transport.InlineSocketCompletions.EnableUnlessSet();
            var sloValues = slo.Read(p);
            if (p.GetValue(from) is { Length: > 0 } inputs)
            {
                var judged = StagedPeakRun.JudgeAndReport(new StagedPeakRun.Settings(inputs,
                    new PeakSearchOptions
                    {
                        MaxAvgLatencyMs = sloValues.MaxAvgLatencyMs,
                        MaxCpuBusy = sloValues.MaxCpuBusy,
                        MaxErrorShare = PeakSearchOptions.ParsePercent(p.GetValue(maxErrors)!, "--max-errors"),
                    }.Validate(),
                    Durations.Parse(p.GetValue(maxLag)!, "--max-generator-lag").TotalMilliseconds,
                    binder.Read(p).ResultsDir, p.GetValue(html)));
                PeakConsole.PrintStaged(Console.Out, judged);
                Console.WriteLine(judged.Path);
                return ExitCodes.Ok;
            }
            var burst = binder.Read(p);
            var resultsDir = burst.ResultsDir;
            var settings = new PeakRun.Settings(
                burst,
                new PeakSearchOptions
                {
                    MaxAvgLatencyMs = sloValues.MaxAvgLatencyMs,
                    MaxCpuBusy = sloValues.MaxCpuBusy,
                    Precision = PeakSearchOptions.ParsePercent(p.GetValue(precision)!, "--precision"),
                    StartRate = p.GetValue(startRate),
                    MinRate = p.GetValue(minRate),
                    MaxRate = p.GetValue(maxRate),
                    MaxSteps = p.GetValue(maxSteps),
                    MaxErrorShare = PeakSearchOptions.ParsePercent(p.GetValue(maxErrors)!, "--max-errors"),
                }.Validate(),
                new StepRunnerSettings
                {
                    StepDuration = Durations.Parse(p.GetValue(stepDuration)!, "--step-duration"),
                    MaxGeneratorLagMs = Durations.Parse(p.GetValue(maxLag)!, "--max-generator-lag").TotalMilliseconds,
                    StepsDir = Path.Combine(resultsDir, $"peak-{ResultsFile.Timestamp(DateTimeOffset.UtcNow)}-steps"),
                }.Validate(),
                p.GetValue(monitor) is { } m ? HostPort.Parse(m, "--monitor") : null,
                resultsDir,
                p.GetValue(token));
            var report = p.GetValue(staircase)
                ? await StaircasePeakRun.RunAndReportAsync(settings, p.GetValue(html), new PeakConsole(Console.Out), ct)
                : await PeakRun.RunAndReportAsync(settings, p.GetValue(html), new PeakConsole(Console.Out), ct);
            Console.WriteLine(report.Path);
            return report.Doc.Outcome == "completed" ? ExitCodes.Ok : ExitCodes.RunFailed;
        });
        return cmd;
    }
}
