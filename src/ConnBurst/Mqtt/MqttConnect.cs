namespace ConnBurst.Mqtt;

/// <summary>
/// An MQTT CONNECT (v5 §3.1, 3.1.1 §3.1) with the fields a connection benchmark uses. Build one per client (or one shared) and
/// encode it with <see cref="MqttConnectEncoder"/>, which allocates nothing. Strings must pass <see cref="Validate"/>.
/// </summary>
internal sealed record MqttConnect
{
    /// <summary>The protocol level written; 3.1.1 has no properties, so the v5-only fields must stay unset.</summary>
    public MqttVersion Version { get; init; } = MqttVersion.V5;
    public string ClientId { get; init; } = "";
    public bool CleanStart { get; init; } = true;
    /// <summary>Seconds; 0 disables keepalive (§3.1.2.10).</summary>
    public ushort KeepAliveSeconds { get; init; } = 60;
    /// <summary>Session Expiry Interval property; 0 (absent) means the session ends with the connection.</summary>
    public uint SessionExpiryInterval { get; init; }
    /// <summary>Receive Maximum property, or null to omit it (0 is a protocol error).</summary>
    public ushort? ReceiveMaximum { get; init; }
    /// <summary>Maximum Packet Size property, or null to omit it (0 is a protocol error).</summary>
    public uint? MaximumPacketSize { get; init; }
    public string? UserName { get; init; }
    public ReadOnlyMemory<byte>? Password { get; init; }
    /// <summary>Will topic; null for no will. A will is encoded with no will properties.</summary>
    public string? WillTopic { get; init; }
    public ReadOnlyMemory<byte> WillPayload { get; init; }
    public byte WillQoS { get; init; }
    public bool WillRetain { get; init; }

    /// <summary>Null when encodable, else the first problem (for edge validation: throw it as an InputException).</summary>
    public string? Validate()
    {
        if (MqttStrings.Check(ClientId, "client id") is { } e1) return e1;
        if (UserName is not null && MqttStrings.Check(UserName, "user name") is { } e2) return e2;
        if (WillTopic is not null && MqttStrings.Check(WillTopic, "will topic") is { } e3) return e3;
        if (Password is { Length: > MqttStrings.MaxBytes }) return "password is longer than 65,535 bytes";
        if (WillPayload.Length > MqttStrings.MaxBytes) return "will payload is longer than 65,535 bytes";
        if (ReceiveMaximum == 0) return "receive maximum must not be 0 (§3.1.2.11.3)";
        if (MaximumPacketSize == 0) return "maximum packet size must not be 0";
        if (WillQoS > 2) return "will QoS must be 0, 1 or 2";
        if (WillTopic is null && (WillQoS != 0 || WillRetain)) return "will QoS/retain need a will topic [MQTT-3.1.2-11]";
        if (Version == MqttVersion.V311)
        {
            if (SessionExpiryInterval != 0 || ReceiveMaximum is not null || MaximumPacketSize is not null)
                return "session expiry, receive maximum and maximum packet size are MQTT v5 properties; 3.1.1 has none";
            if (Password is not null && UserName is null) return "a password needs a user name in MQTT 3.1.1 [MQTT-3.1.2-22]";
            if (ClientId.Length == 0 && !CleanStart) return "an empty client id needs a clean session in MQTT 3.1.1 [MQTT-3.1.3-7]";
        }
        return null;
    }
}

/// <summary>What a decoded CONNECT says (the server side). Strings are copied out of the packet.</summary>
internal sealed record MqttConnectInfo(
    byte ProtocolLevel, string ClientId, bool CleanStart, ushort KeepAliveSeconds, uint SessionExpiryInterval,
    ushort ReceiveMaximum, uint? MaximumPacketSize, string? UserName, bool HasPassword, string? WillTopic, byte WillQoS,
    bool WillRetain, bool HasAuthenticationMethod);
