using System.CommandLine;
using ConnBurst.Reporting;
using ConnBurst.Reporting.Compare;

namespace ConnBurst.Cli.Commands;

/// <summary><c>connburst compare A B [C...]</c>: runs of one kind side by side, deltas and ratios against the first.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var results = new Argument<string[]>("RESULTS") { Description =
            "Two or more results JSON files of one kind; the first is the baseline", Arity = new ArgumentArity(2, 64) };
        var html = new Option<string?>("--html") { Description =
            "The HTML page to write (default: beside the first file, <first>-vs-<second>.html)" };
        var cmd = new Command("compare",
            "Compare runs of one kind (e.g. TLS 1.2 vs 1.3, RSA vs ECDSA, with and without CRL): deltas, ratios, overlaid distributions.")
        {
            results, html
        };
        CommandAction.Set(cmd, (p, _) =>
        {
            var inputs = ResultsInputs.Load(p.GetValue(results)!);
            var runs = inputs.Select(i => RunReportBuilder.Build(i.Doc, i.Path)).ToList();
            var comparison = RunComparison.Build(runs);
            var first = inputs[0].Path!;
            var htmlPath = Path.GetFullPath(p.GetValue(html)
                ?? Path.Combine(Path.GetDirectoryName(first)!,
                $"{runs[0].Label}-vs-{runs[1].Label}{(runs.Count > 2 ? $"-and-{runs.Count - 2}-more" : "")}.html"));
            var dir = Path.GetDirectoryName(htmlPath)!;
            Directory.CreateDirectory(dir);
            var charts = CompareRenderer.Charts(comparison);
            Console.Write(CompareRenderer.Text(comparison));
            // What comparing these runs proposes (TLS 1.2 against 1.3 for one server), when a row matches.
            var across = Reporting.Analysis.Proposals.AcrossRuns(runs.Where(r => r.Analysis is not null)
                .Select(r => (r.Doc, r.Server, r.Analysis!)).ToList());
            foreach (var line in Reporting.Analysis.ProposalText.Lines(across, null, "", "proposals from comparing these runs:"))
                Console.WriteLine(line);
            var failed = false;
            foreach (var chart in charts)
            {
                try { Console.WriteLine($"png: {chart.SavePng(dir, Path.GetFileNameWithoutExtension(htmlPath))}"); }
                catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException)
                {
                    failed = true;
                    Console.WriteLine($"png: FAILED: {e.Message}");
                }
            }
            File.WriteAllText(htmlPath, CompareRenderer.Html(comparison, charts));
            Console.WriteLine(htmlPath);
            return failed ? ExitCodes.RunFailed : ExitCodes.Ok;
        });
        return cmd;
    }
}
