using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConnBurst.Results;

/// <summary>Reads and writes results JSON. Writes go to a temp file and are renamed, so a crash never leaves half a file.</summary>
internal static class ResultsFile
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // Sections (extension data typed object) read back as JsonNode, the type writers put in.
        UnknownTypeHandling = JsonUnknownTypeHandling.JsonNode,
    };

    /// <summary>Writes <paramref name="doc"/> as <c>DIR/&lt;kind&gt;-&lt;timestamp&gt;.json</c> (or <paramref name="fileName"/>) and
    /// returns the path.</summary>
    public static string Write(ResultsDocument doc, string directory, string? fileName = null)
    {
        Directory.CreateDirectory(directory);
        fileName ??= $"{doc.Kind}-{Timestamp(doc.StartedAt)}.json";
        var path = Path.GetFullPath(Path.Combine(directory, fileName));
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(doc, Json));
        File.Move(tmp, path, overwrite: true);
        return path;
    }

    public static ResultsDocument Read(string path)
    {
        if (!File.Exists(path)) throw new Common.InputException($"results file not found: {path}");
        try
        {
            var doc = JsonSerializer.Deserialize<ResultsDocument>(File.ReadAllText(path), Json)
                ?? throw new Common.InputException($"{path}: empty results file");
            if (!doc.Schema.StartsWith("connburst.results/", StringComparison.Ordinal))
                throw new Common.InputException($"{path}: not a ConnBurst results file (schema '{doc.Schema}')");
            return doc;
        }
        catch (JsonException e)
        {
            throw new Common.InputException($"{path}: malformed results JSON: {e.Message}");
        }
    }

    /// <summary>The timestamp format used in every result file name: 20261123_145501.</summary>
    public static string Timestamp(DateTimeOffset t)
        => t.ToLocalTime().ToString("yyyyMMdd_HHmmss", System.Globalization.CultureInfo.InvariantCulture);
}
