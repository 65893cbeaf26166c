using ConnBurst.Common;

namespace ConnBurst.Tls;

/// <summary>What a server asks of clients: <c>--client-cert required|optional</c>.</summary>
internal enum ClientCertMode
{
    /// <summary>A valid client certificate from the benchmark CA is required (the MQTT benchmark's server).</summary>
    Required,
    /// <summary>A certificate is requested; none is accepted, but a bad one is still refused.</summary>
    Optional,
}

internal static class ClientCertModes
{
    public static ClientCertMode Parse(string? text, string what = "--client-cert") => text?.Trim().ToLowerInvariant() switch
    {
        "required" => ClientCertMode.Required,
        "optional" => ClientCertMode.Optional,
        _ => throw new InputException($"{what}: '{text}' is not a client-certificate mode (use required or optional)"),
    };

    public static string Name(this ClientCertMode m) => m == ClientCertMode.Required ? "required" : "optional";
}
