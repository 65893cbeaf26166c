using System.Text.Json;
using System.Text.Json.Nodes;
using ConnBurst.Results;

namespace ConnBurst.Reporting.Sections;

/// <summary>
/// Typed access to the kind-specific sections of a <see cref="ResultsDocument"/> ("generator", "monitor", "peak"...).
/// Sections stay JSON in the document so a newer writer never breaks an older reader; these helpers map them to
/// the section records below with the same serializer options as the file.
/// </summary>
internal static class ResultsSections
{
    public const string Generator = "generator";
    public const string Monitor = "monitor";
    public const string Peak = "peak";

    /// <summary>The section as <typeparamref name="T"/>, or null when absent or not of that shape.</summary>
    public static T? GetSection<T>(this ResultsDocument doc, string name) where T : class
    {
        if (doc.Section(name) is not { } node) return null;
        try { return node.Deserialize<T>(ResultsFile.Json); }
        catch (JsonException) { return null; }
    }

    public static void SetSection<T>(this ResultsDocument doc, string name, T value) =>
        doc.Sections[name] = JsonSerializer.SerializeToNode(value, ResultsFile.Json);

    public static GeneratorSection? GeneratorSection(this ResultsDocument doc) => doc.GetSection<GeneratorSection>(Generator);
    public static PeakSection? PeakSection(this ResultsDocument doc) => doc.GetSection<PeakSection>(Peak);

    /// <summary>A config value as text ("" when absent), for display and for matching runs in compare.</summary>
    public static string ConfigText(this ResultsDocument doc, string key) =>
        doc.Config.TryGetPropertyValue(key, out var v) && v is not null ? (v is JsonValue jv ? jv.ToString() : v.ToJsonString()) : "";
}
