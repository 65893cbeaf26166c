using System.Text.Json.Nodes;

namespace ConnBurst.Load;

/// <summary>
/// The errors that failed a run (an engine thread's, a worker's), gathered from whichever thread meets them and
/// written as the results' "errors" (docs/results-schema.md).
/// </summary>
internal sealed class RunErrors
{
    private readonly Lock _gate = new();
    private readonly List<string> _errors = [];

    public void Add(string error)
    {
        lock (_gate) _errors.Add(error);
    }

    public bool Any { get { lock (_gate) return _errors.Count > 0; } }
    public string? Last { get { lock (_gate) return _errors.LastOrDefault(); } }

    public JsonArray ToJson()
    {
        lock (_gate) return new JsonArray([.. _errors.Select(e => JsonValue.Create(e))]);
    }
}
