using System.CommandLine;
using ConnBurst.Common;
using ConnBurst.Reporting;
using ConnBurst.Reporting.Analysis;
using ConnBurst.Results;

namespace ConnBurst.Cli.Commands;

/// <summary><c>connburst analyze RESULTS...</c>: names the bottleneck (side, resource, busiest server threads), each claim with its
/// figures, then the optimisations the evidence points to (<see cref="Proposals"/>).</summary>
internal static class AnalyzeCommand
{
    public static Command Create()
    {
        var results = new Argument<string[]>("RESULTS") { Description =
            "A burst or chat results file, optionally with the monitor's results for the same run", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print the claims as JSON instead of text" };
        var cmd = new Command("analyze",
            "Name the bottleneck of a run (which side, which resource, which server threads) and propose what would raise its" +
                " peak.") { results, json };
        CommandAction.Set(cmd, (p, _) =>
        {
            var runs = RunReportBuilder.Build(ResultsInputs.Load(p.GetValue(results)!))
                .Where(r => r.Doc.Kind is "burst" or "chat").ToList();
            if (runs.Count == 0) throw new InputException("analyze needs a burst or chat results file");
            var analysed = runs.Select(r => (r.Doc, r.Server, Claims: r.Analysis ?? BottleneckAnalyzer.Analyze(r.Doc, r.Server))).ToList();
            foreach (var (r, a) in runs.Zip(analysed.Select(x => x.Claims)))
            {
                if (p.GetValue(json))
                {
                    Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(
                        new { run = r.Label, claims = a.Claims, proposals = a.Proposals, noProposal = a.NoProposal }, ResultsFile.Json));
                    continue;
                }
                Console.WriteLine($"== {r.Label}");
                foreach (var c in a.Claims)
                {
                    Console.WriteLine($"{c.Question}: {c.Conclusion}: {c.Text}");
                    foreach (var e in c.Evidence) Console.WriteLine($"   - {e}");
                }
                foreach (var line in ProposalText.Lines(a, "")) Console.WriteLine(line);
            }
            // Rows that compare runs of one server: a last JSON line, or a last block, only when one matched.
            var across = Proposals.AcrossRuns(analysed);
            if (across.Count > 0 && p.GetValue(json))
            {
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { acrossRuns = across }, ResultsFile.Json));
            }
            else
            {
                foreach (var line in ProposalText.Lines(across, null, "", "== across runs of one server: proposals, most promising first:"))
                    Console.WriteLine(line);
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
