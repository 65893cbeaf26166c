namespace ConnBurst.Mqtt;

/// <summary>MQTT control packet types: the high nibble of the fixed header's first byte (MQTT v5 §2.1.2).</summary>
internal enum MqttPacketType : byte
{
    Connect = 1, ConnAck = 2, Publish = 3, PubAck = 4, PubRec = 5, PubRel = 6, PubComp = 7,
    Subscribe = 8, SubAck = 9, Unsubscribe = 10, UnsubAck = 11, PingReq = 12, PingResp = 13, Disconnect = 14, Auth = 15,
}

/// <summary>MQTT v5 reason codes (§2.4) used by CONNACK, DISCONNECT, PUBACK/PUBREC/PUBCOMP, SUBACK and UNSUBACK.</summary>
public enum MqttReasonCode : byte
{
    Success = 0x00,
    NoMatchingSubscribers = 0x10,
    NoSubscriptionExisted = 0x11,
    UnspecifiedError = 0x80,
    MalformedPacket = 0x81,
    ProtocolError = 0x82,
    ImplementationSpecificError = 0x83,
    UnsupportedProtocolVersion = 0x84,
    ClientIdentifierNotValid = 0x85,
    BadUserNameOrPassword = 0x86,
    NotAuthorized = 0x87,
    ServerUnavailable = 0x88,
    ServerBusy = 0x89,
    Banned = 0x8A,
    ServerShuttingDown = 0x8B,
    BadAuthenticationMethod = 0x8C,
    KeepAliveTimeout = 0x8D,
    TopicNameInvalid = 0x90,
    TopicAliasInvalid = 0x94,
    PacketIdentifierNotFound = 0x92,
    PacketTooLarge = 0x95,
    QuotaExceeded = 0x97,
    PayloadFormatInvalid = 0x99,
    RetainNotSupported = 0x9A,
    QoSNotSupported = 0x9B,
    ConnectionRateExceeded = 0x9F,
    MaximumConnectTime = 0xA0,
}

/// <summary>The outcome of a decode: a complete valid packet, not enough bytes yet, or a violation (with a reason code).</summary>
internal enum MqttDecodeStatus
{
    /// <summary>Decoded; the out values are valid.</summary>
    Ok,
    /// <summary>The buffer holds only part of the frame; call again with more bytes. Nothing was consumed.</summary>
    Incomplete,
    /// <summary>The bytes break the spec; the reason says how. The connection must be closed (after DISCONNECT/CONNACK with it).</summary>
    Invalid,
}

/// <summary>Packets with no variable fields are constants (§3.12, §3.13, §3.14).</summary>
internal static class MqttConstants
{
    public const byte ProtocolLevel5 = 5;

    /// <summary>PINGREQ: <c>C0 00</c>.</summary>
    public static ReadOnlySpan<byte> PingReq => [0xC0, 0x00];

    /// <summary>PINGRESP: <c>D0 00</c>.</summary>
    public static ReadOnlySpan<byte> PingResp => [0xD0, 0x00];

    /// <summary>DISCONNECT with reason Normal disconnection and no properties: <c>E0 00</c> (§3.14.2.1).</summary>
    public static ReadOnlySpan<byte> DisconnectNormal => [0xE0, 0x00];

    /// <summary>The largest packet the spec can express: 268,435,455 bytes of remaining length (§1.5.5) plus a 5-byte header.</summary>
    public const int MaxRemainingLength = 268_435_455;
}
