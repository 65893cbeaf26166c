using System.CommandLine;
using ConnBurst.Recording;
using ConnBurst.Reporting.Tables;
using ConnBurst.Results;

namespace ConnBurst.Cli.Commands;

/// <summary><c>connburst merge INPUT... [--out-file FILE] [--allow-missing]</c>: agents' results of one sharded plan, joined
/// exactly.</summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("INPUT")
        {
            Description =
                "Agents' results JSON files, directories of them, or logs with '@connburst-results' lines (kubectl logs of agents run " +
                "with --print-results); " +
                          "at most one monitor result, embedded as the server's side",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string?>("--out-file") { Description =
            "The merged results file (default: results/burst-merged-<time>.json)" };
        var allowMissing = new Option<bool>("--allow-missing") { Description =
            "Merge even when some shards are missing; the merged file names them and its outcome is 'partial'" };
        var cmd = new Command("merge",
            "Merge the results of burst agents (--shard I/N) into one run: histograms added exactly, counts summed, intervals aligned on " +
            "the common start.")
        {
            inputs, output, allowMissing,
        };
        LegacyNames.Add(cmd, output, "--out");
        CommandAction.Set(cmd, (p, _) =>
        {
            var sources = ResultsInputs.Load(p.GetValue(inputs)!);
            var merged = BurstMerge.Merge(sources.Select(s => new BurstMerge.Input(s.Doc, s.Path!)).ToList(), p.GetValue(allowMissing));
            var outPath = Path.GetFullPath(p.GetValue(output)
                ?? Path.Combine("results", $"burst-merged-{ResultsFile.Timestamp(merged.StartedAt)}.json"));
            merged.Sections["files"] = new System.Text.Json.Nodes.JsonObject { ["results"] = outPath };
            var path = ResultsFile.Write(merged, Path.GetDirectoryName(outPath)!, Path.GetFileName(outPath));
            var shards = merged.Section("shards")!;
            var c = merged.Counts;
            Console.WriteLine($"merged {merged.Section("agents")!.AsArray().Count} of {shards["count"]} shards" +
                              (shards["missing"]!.AsArray().Count > 0
                              ? $" (missing {string.Join(", ", shards["missing"]!.AsArray().Select(m => m!.ToString()))})" : "") +
                              $": attempted {c.Attempted}, connacks {c.Connacks}, failed {c.Failed.Values.Sum()}; " +
                              $"outcome {merged.Outcome}");
            if (merged.Latency.Count > 0) Console.Write(TextTable.Render(LatencyTable.Of(merged.Latency), "  "));
            Console.WriteLine(path);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
