using ConnBurst.Common;

namespace ConnBurst.Mqtt;

/// <summary>
/// The MQTT protocol versions ConnBurst speaks, valued as the protocol level byte of CONNECT: 4 is MQTT 3.1.1
/// (OASIS 2014), 5 is MQTT v5 (OASIS 2019). The wire differs in CONNECT, CONNACK, the acks and DISCONNECT; the
/// decoders take the version of the connection they read.
/// </summary>
internal enum MqttVersion : byte
{
    V311 = 4,
    V5 = 5,
}

/// <summary>The versions' names as users write them (<c>--mqtt 3.1.1|5</c>).</summary>
internal static class MqttVersions
{
    public static string Name(this MqttVersion v) => v == MqttVersion.V311 ? "3.1.1" : "5";

    public static MqttVersion Parse(string? text, string option) => text?.Trim().ToLowerInvariant() switch
    {
        "5" or "5.0" or "v5" => MqttVersion.V5,
        "3.1.1" or "311" or "v311" or "4" => MqttVersion.V311,
        _ => throw new InputException($"{option}: '{text}' is not an MQTT version (3.1.1 or 5)"),
    };

    /// <summary>
    /// A server's accepted set, <c>5</c>, <c>3.1.1</c> or <c>both</c> (a comma list also works). Both by default, as brokers
    /// in the field accept both (docs/DECISIONS.md, "MQTT 3.1.1").
    /// </summary>
    public static IReadOnlySet<MqttVersion> ParseSet(string? text, string option)
    {
        if (text is null || text.Trim().Equals("both", StringComparison.OrdinalIgnoreCase)) return All;
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => Parse(t, option))
            .ToHashSet();
    }

    public static readonly IReadOnlySet<MqttVersion> All = new HashSet<MqttVersion> { MqttVersion.V5, MqttVersion.V311 };

    public static string Describe(IReadOnlySet<MqttVersion> set) =>
        string.Join(",", set.OrderByDescending(v => v).Select(v => v.Name()));
}
