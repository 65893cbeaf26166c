using ConnBurst.Common;

namespace ConnBurst.Results;

/// <summary>
/// Results named on a command line, however they arrived: a results JSON file, a directory of them (searched
/// recursively, as agents' result directories are copied back; a run's journal counts when its JSON is missing), a
/// run's journal (<see cref="ResultsJournal"/>: a run that was killed), or a log whose lines carry
/// <see cref="ResultsLog.Marker"/> (what <c>kubectl logs</c> returns for agents run with <c>--print-results</c>).
/// </summary>
internal static class ResultsSources
{
    public static IReadOnlyList<(ResultsDocument Doc, string Source)> Load(IEnumerable<string> inputs)
    {
        var all = new List<(ResultsDocument, string)>();
        foreach (var input in inputs)
        {
            var path = Path.GetFullPath(input);
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
                var before = all.Count;
                foreach (var f in files)
                    if (IsResults(f)) all.Add((ResultsFile.Read(f), f));
                // A run that never wrote its results JSON left its journal: read it as an interrupted run.
                foreach (var j in Directory.EnumerateFiles(path, "*" + ResultsJournal.Suffix, SearchOption.AllDirectories)
                    .Order(StringComparer.Ordinal))
                {
                    if (!File.Exists(j[..^ResultsJournal.Suffix.Length] + ".json")) all.Add((ResultsJournal.Read(j), j));
                }
                if (all.Count == before) throw new InputException($"{input}: the directory holds no results JSON");
            }
            else if (!File.Exists(path))
            {
                throw new InputException($"results file not found: {input}");
            }
            else if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                all.Add((ResultsFile.Read(path), path));
            }
            else if (path.EndsWith(ResultsJournal.Suffix, StringComparison.Ordinal))
            {
                all.Add((ResultsJournal.Read(path), path));
            }
            else
            {
                var found = ResultsLog.Read(path).Select(r => (r.Doc, $"{path}:{r.Line}")).ToList();
                if (found.Count == 0)
                {
                    throw new InputException(
                        $"{input}: no results in it (give a results JSON, a directory of them, or a log with " +
                        $"'{ResultsLog.Marker.Trim()}' lines)");
                }
                all.AddRange(found);
            }
        }
        if (all.Count == 0) throw new InputException("give at least one results file, directory or log");
        return all;
    }

    /// <summary>A results file of ours, by its schema field near the top (other JSON in a results directory is skipped).</summary>
    private static bool IsResults(string path)
    {
        if (path.EndsWith(".tmp", StringComparison.Ordinal)) return false;
        using var reader = new StreamReader(path);
        var buffer = new char[256];
        var n = reader.ReadBlock(buffer, 0, buffer.Length);
        return new string(buffer, 0, n).Contains("\"connburst.results/", StringComparison.Ordinal);
    }
}
