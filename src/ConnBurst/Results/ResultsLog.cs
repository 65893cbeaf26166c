using System.Text.Json;

namespace ConnBurst.Results;

/// <summary>
/// A results document as one line of a process's output (<c>burst --print-results</c>), so the results of agents
/// that run where no file can be fetched (Kubernetes pods) come back through <c>kubectl logs</c>; <c>merge</c>
/// finds the lines anywhere in a log, behind whatever prefix the log adds.
/// </summary>
internal static class ResultsLog
{
    public const string Marker = "@connburst-results ";

    private static readonly JsonSerializerOptions OneLine = new(ResultsFile.Json) { WriteIndented = false };

    public static string Line(ResultsDocument doc) => Marker + JsonSerializer.Serialize(doc, OneLine);

    /// <summary>Every results document in a log's text, in order, each with its line number for error messages.</summary>
    public static IEnumerable<(ResultsDocument Doc, int Line)> Read(string path)
    {
        int n = 0;
        foreach (var line in File.ReadLines(path))
        {
            n++;
            var at = line.IndexOf(Marker, StringComparison.Ordinal);
            if (at < 0) continue;
            ResultsDocument? doc;
            try { doc = JsonSerializer.Deserialize<ResultsDocument>(line.AsSpan(at + Marker.Length), ResultsFile.Json); }
            catch (JsonException e) { throw new Common.InputException($"{path}:{n}: malformed results line: {e.Message}"); }
            if (doc is null) throw new Common.InputException($"{path}:{n}: empty results line");
            yield return (doc, n);
        }
    }
}
