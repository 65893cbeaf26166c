using System.Text.Json;
using System.Text.Json.Serialization;
using ConnBurst.Common;
using ConnBurst.Tls;

namespace ConnBurst.Load;

/// <summary>
/// What a worker process is told: the agent's validated options exactly as the parent holds them, which worker it is
/// inside the agent, and the run's t0. Sent as one JSON line on the worker's stdin (whose closing later means
/// "stop"), so no option is ever spelled twice: adding a <see cref="BurstOptions"/> property reaches the workers
/// with no edit here.
/// </summary>
internal sealed record WorkerAssignment(BurstOptions Options, Shard Worker, DateTimeOffset StartAt)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new HostPortConverter(), new TlsOptionsConverter(), new StagePlanConverter(), new JsonStringEnumConverter() },
    };

    public string ToLine() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads the line a parent sent; a malformed one is an <see cref="InputException"/> (a worker started by hand).</summary>
    public static WorkerAssignment Parse(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
            throw new InputException("--worker: expected the worker's assignment as one JSON line on stdin");
        try
        {
            return JsonSerializer.Deserialize<WorkerAssignment>(line, Json)
                ?? throw new InputException("--worker: empty assignment on stdin");
        }
        catch (JsonException e)
        {
            throw new InputException($"--worker: the assignment on stdin is not valid: {e.Message}");
        }
    }

    private sealed class HostPortConverter : JsonConverter<HostPort>
    {
        public override HostPort Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            HostPort.Parse(reader.GetString() ?? "", "--target");

        public override void Write(Utf8JsonWriter writer, HostPort value, JsonSerializerOptions options)
            => writer.WriteStringValue(value.ToString());
    }

    /// <summary>A stage plan travels as its command-line spelling, parsed (and so checked) again on the worker's side.</summary>
    private sealed class StagePlanConverter : JsonConverter<Stages.StagePlan>
    {
        public override Stages.StagePlan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Stages.StagePlan.Parse(reader.GetString() ?? "");

        public override void Write(Utf8JsonWriter writer, Stages.StagePlan value, JsonSerializerOptions options)
            => writer.WriteStringValue(value.ToString());
    }

    /// <summary>TlsOptions validates in <see cref="TlsOptions.Create(string?, string?, bool)"/> only; it travels as that call's
    /// arguments.</summary>
    private sealed class TlsOptionsConverter : JsonConverter<TlsOptions>
    {
        private sealed record Wire(string Protocol, string? Ciphers, bool Resume);

        public override TlsOptions Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var w = JsonSerializer.Deserialize<Wire>(ref reader, options) ?? throw new JsonException("tls: null");
            return TlsOptions.Create(w.Protocol, w.Ciphers, w.Resume);
        }

        public override void Write(Utf8JsonWriter writer, TlsOptions value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, new Wire(value.Protocol.Name(),
                value.Ciphers.Count == 0 ? null : string.Join(',', value.Ciphers), value.AllowResume), options);
    }
}
