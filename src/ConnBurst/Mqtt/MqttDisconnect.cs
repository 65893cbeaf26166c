namespace ConnBurst.Mqtt;

/// <summary>DISCONNECT (§3.14) in both directions.</summary>
internal static class MqttDisconnect
{
    private static readonly ulong Allowed = MqttPropertyReader.Mask(
        MqttPropertyIds.SessionExpiryInterval, MqttPropertyIds.ReasonString, MqttPropertyIds.UserProperty, MqttPropertyIds.ServerReference);

    /// <summary>Bytes <see cref="Write"/> produces: 2 for Normal, 3 with a reason.</summary>
    public static int GetSize(MqttReasonCode reason) => reason == MqttReasonCode.Success ? 2 : 3;

    /// <summary>
    /// Writes a DISCONNECT. Normal disconnection is <c>E0 00</c>; any other reason is <c>E0 01 RC</c> (the property length may be
    /// omitted when there are none, §3.14.2.2).
    /// </summary>
    public static int Write(Span<byte> destination, MqttReasonCode reason)
    {
        destination[0] = 0xE0;
        if (reason == MqttReasonCode.Success)
        {
            destination[1] = 0;
            return 2;
        }
        destination[1] = 1;
        destination[2] = (byte)reason;
        return 3;
    }

    /// <summary>Decodes a DISCONNECT body into its reason (Normal when the body is empty; 3.1.1's is always empty).</summary>
    public static MqttReasonCode Decode(ReadOnlySpan<byte> body, out MqttReasonCode disconnectReason, MqttVersion version = MqttVersion.V5)
    {
        disconnectReason = MqttReasonCode.Success;
        if (body.IsEmpty) return MqttReasonCode.Success;
        if (version == MqttVersion.V311) return MqttReasonCode.MalformedPacket; // remaining length 0 (3.1.1 §3.14.1)
        var r = new MqttReader(body);
        r.Byte(out var rc);
        disconnectReason = (MqttReasonCode)rc;
        if (r.AtEnd) return MqttReasonCode.Success;
        if (!r.VarInt(out var propsLength) || r.Remaining != propsLength) return MqttReasonCode.MalformedPacket;
        var props = new MqttPropertyReader(r.Rest, Allowed);
        while (true)
        {
            var prc = props.Next(out _, out var done);
            if (prc != MqttReasonCode.Success) return prc;
            if (done) return MqttReasonCode.Success;
        }
    }
}
