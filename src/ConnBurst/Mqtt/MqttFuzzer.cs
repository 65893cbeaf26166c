namespace ConnBurst.Mqtt;

/// <summary>What a fuzz run saw. <see cref="Exceptions"/> must be 0: every rejection is a reason code, never a throw.</summary>
internal sealed record MqttFuzzResult(long Inputs, long Decoded, long Incomplete, long Rejected, long Exceptions, string? FirstException);

/// <summary>
/// Feeds random and mutated packets through every decoder the way a broker or client would meet them (frame, then decode
/// each body by type), in the version a connection speaks (v5, or 3.1.1 with its own corpus). Deterministic for a seed.
/// Used by the unit test (fixed seed) and by <c>bench mqtt-fuzz</c> (longer).
/// </summary>
internal static class MqttFuzzer
{
    public static MqttFuzzResult Run(int seed, long inputs, MqttVersion version = MqttVersion.V5)
    {
        var rng = new Random(seed);
        var corpus = Corpus(version);
        long decoded = 0, incomplete = 0, rejected = 0, exceptions = 0;
        string? first = null;
        var buf = new byte[4096];
        for (long i = 0; i < inputs; i++)
        {
            var length = Next(rng, corpus, buf);
            try
            {
                switch (Feed(buf.AsSpan(0, length), version))
                {
                    case MqttDecodeStatus.Ok: decoded++; break;
                    case MqttDecodeStatus.Incomplete: incomplete++; break;
                    default: rejected++; break;
                }
            }
            catch (Exception e)
            {
                exceptions++;
                first ??= $"{e.GetType().Name}: {e.Message} on {Convert.ToHexString(buf, 0, length)}";
            }
        }
        return new MqttFuzzResult(inputs, decoded, incomplete, rejected, exceptions, first);
    }

    /// <summary>Frames and decodes every packet in <paramref name="stream"/>; the status of the last step.</summary>
    public static MqttDecodeStatus Feed(ReadOnlySpan<byte> stream, MqttVersion version = MqttVersion.V5)
    {
        while (true)
        {
            var status = MqttFrame.TryRead(stream, 1 << 16, out var h, out _);
            if (status != MqttDecodeStatus.Ok) return status;
            var body = MqttFrame.Body(stream, h);
            var rc = h.Type switch
            {
                MqttPacketType.Connect => MqttConnectDecoder.Decode(body, out _),
                MqttPacketType.ConnAck => MqttConnAckDecoder.DecodeBody(body, out _, version),
                MqttPacketType.Publish => MqttClientPackets.DecodePublish(h.Flags, body, out _, out _, version),
                MqttPacketType.PubAck or MqttPacketType.PubRec or MqttPacketType.PubRel or MqttPacketType.PubComp
                    => MqttClientPackets.DecodeAck(body, out _, version),
                MqttPacketType.Subscribe => MqttClientPackets.DecodeSubscribe(body, out _, out _, version),
                MqttPacketType.Unsubscribe => MqttClientPackets.DecodeUnsubscribe(body, out _, out _, version),
                MqttPacketType.Disconnect => MqttDisconnect.Decode(body, out _, version),
                MqttPacketType.PingReq or MqttPacketType.PingResp => body.IsEmpty ? MqttReasonCode.Success : MqttReasonCode.MalformedPacket,
                _ => MqttReasonCode.ProtocolError,
            };
            if (rc != MqttReasonCode.Success) return MqttDecodeStatus.Invalid;
            stream = stream[h.TotalLength..];
            if (stream.IsEmpty) return MqttDecodeStatus.Ok;
        }
    }

    private static int Next(Random rng, byte[][] corpus, byte[] buf)
    {
        if (rng.Next(10) == 0)
        {
            var n = rng.Next(1, 64);
            rng.NextBytes(buf.AsSpan(0, n));
            return n;
        }
        var seed = corpus[rng.Next(corpus.Length)];
        seed.CopyTo(buf, 0);
        var len = seed.Length;
        var mutations = rng.Next(1, 4);
        for (int m = 0; m < mutations; m++)
        {
            switch (rng.Next(6))
            {
                case 0: buf[rng.Next(len)] ^= (byte)(1 << rng.Next(8)); break;             // flip a bit
                case 1: buf[rng.Next(len)] = (byte)rng.Next(256); break;                   // set a byte
                case 2: len = Math.Max(1, rng.Next(len)); break;                           // truncate
                case 3:                                                                    // insert bytes
                    {
                        var at = rng.Next(len);
                        var n = Math.Min(rng.Next(1, 8), buf.Length - len);
                        Array.Copy(buf, at, buf, at + n, len - at);
                        rng.NextBytes(buf.AsSpan(at, n));
                        len += n;
                        break;
                    }
                case 4: buf[rng.Next(len)] = (byte)(rng.Next(2) == 0 ? 0xFF : 0x00); break; // extreme values in length fields
                default:                                                                   // append another packet
                    {
                        var other = corpus[rng.Next(corpus.Length)];
                        var n = Math.Min(other.Length, buf.Length - len);
                        other.AsSpan(0, n).CopyTo(buf.AsSpan(len));
                        len += n;
                        break;
                    }
            }
        }
        return len;
    }

    internal static byte[][] Corpus(MqttVersion version = MqttVersion.V5) => version == MqttVersion.V5 ? Corpus5() : Corpus311();

    private static byte[][] Corpus311()
    {
        static byte[] Connect(MqttConnect p)
        {
            var b = new byte[MqttConnectEncoder.GetSize(p)];
            MqttConnectEncoder.Write(b, p);
            return b;
        }
        return
        [
            Connect(new MqttConnect { Version = MqttVersion.V311, ClientId = "c" }),
            Connect(new MqttConnect { Version = MqttVersion.V311, ClientId = "", KeepAliveSeconds = 0 }),
            Connect(new MqttConnect
            {
                Version = MqttVersion.V311, ClientId = "w", CleanStart = false, UserName = "u", Password = new byte[] { 1, 2 },
                    WillTopic = "t/w",
                WillPayload = new byte[] { 3 }, WillQoS = 2, WillRetain = true,
            }),
            MqttConnAckEncoder.Success311.ToArray(),
            [0x20, 0x02, 0x01, 0x00],
            [0x20, 0x02, 0x00, 0x05],
            [0x30, 0x05, 0, 1, (byte)'t', (byte)'h', (byte)'i'],
            [0x34, 0x07, 0, 3, (byte)'a', (byte)'/', (byte)'b', 0, 9],
            [0x82, 0x0A, 0, 9, 0, 1, (byte)'a', 1, 0, 1, (byte)'#', 2],
            [0xA2, 0x05, 0, 3, 0, 1, (byte)'a'],
            [0x62, 0x02, 0, 5],
            [0x40, 0x02, 0, 5],
            MqttConstants.PingReq.ToArray(),
            MqttConstants.PingResp.ToArray(),
            MqttConstants.DisconnectNormal.ToArray(),
        ];
    }

    private static byte[][] Corpus5()
    {
        static byte[] Connect(MqttConnect p)
        {
            var b = new byte[MqttConnectEncoder.GetSize(p)];
            MqttConnectEncoder.Write(b, p);
            return b;
        }
        var connack = new byte[MqttConnAckEncoder.GetSize(4)];
        MqttConnAckEncoder.Write(connack, MqttReasonCode.Success, assignedClientId: "abcd"u8);
        return
        [
            Connect(new MqttConnect { ClientId = "c" }),
            Connect(new MqttConnect { ClientId = "client-1", SessionExpiryInterval = 10, ReceiveMaximum = 5, MaximumPacketSize = 1000 }),
            Connect(new MqttConnect { ClientId = "w", UserName = "u", Password = new byte[] { 1, 2 }, WillTopic = "t/w",
                WillPayload = new byte[] { 3 }, WillQoS = 1 }),
            // CONNECT with user property, auth method, and will properties, as other clients send them.
            [0x10, 0x29, 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 5, 0x06, 0, 60, 12, 0x26, 0, 1, (byte)'k', 0, 1, (byte)'v', 0x15,
                0, 2, (byte)'a', (byte)'m',
                0, 1, (byte)'x', 7, 0x18, 0, 0, 0, 5, 0x01, 1, 0, 1, (byte)'t', 0, 2, (byte)'o', (byte)'k'],
            connack,
            MqttConnAckEncoder.Success.ToArray(),
            [0x30, 0x06, 0, 1, (byte)'t', 0, (byte)'h', (byte)'i'],
            [0x32, 0x08, 0, 1, (byte)'t', 0, 5, 2, 0x01, 1],
            [0x82, 0x0D, 0, 9, 2, 0x0B, 1, 0, 1, (byte)'a', 0, 0, 1, (byte)'#', 1],
            [0xA2, 0x06, 0, 3, 0, 0, 1, (byte)'a'],
            [0x62, 0x02, 0, 5],
            [0x40, 0x04, 0, 5, 0x10, 0],
            MqttConstants.PingReq.ToArray(),
            MqttConstants.PingResp.ToArray(),
            [0xE0, 0x07, 0x04, 0x05, 0x11, 0, 0, 0, 0],
            MqttConstants.DisconnectNormal.ToArray(),
        ];
    }
}
