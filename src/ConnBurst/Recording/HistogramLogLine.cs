using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using HdrHistogram;
using HdrHistogram.Encoding;
using HdrHistogram.Utilities;

namespace ConnBurst.Recording;

/// <summary>
/// One histogram's line of an HdrHistogram interval log, byte for byte what HdrHistogram.NET's
/// <see cref="HistogramLogWriter"/> writes (LatencyHistogramsTests compares them), from buffers allocated once per process.
/// The writer allocates three buffers of the histogram's full encoded size for every histogram it writes (its target,
/// EncodeIntoCompressedByteBuffer's intermediate, and CompressedCopy's copy of that): 580 KB on the large-object heap for one
/// of ours (1 µs to 10 min, 3 digits), six per snapshot interval, and the gen-2 collections they caused paused the event
/// loops. The steps are the library's own (2.5.0, HistogramEncoding.EncodeIntoCompressedByteBuffer): the V2 encoding into a
/// buffer of <see cref="HistogramBase.GetNeededByteBufferCapacity"/> bytes, that whole buffer (zeros after the encoding
/// included) deflated behind the RFC 1950 header 0x58 0x85 in one write (zlib-ng's output depends on how the input is cut
/// into writes), then the compressed cookie and length in front, big-endian.
/// </summary>
internal static class HistogramLogLine
{
    internal const int CompressedCookieV2 = 0x1c849304 | 0x10; // HistogramEncoding's: V2, word size byte marks TLZE encoding
    private const double MaxValueUnitRatio = 1_000_000.0; // the writer's: Interval_Max is the maximum over a million

    private static readonly Lock Gate = new(); // the buffers are shared: a line per phase per snapshot, so no contention
    private static ByteBuffer? _encoded;
    private static byte[] _uncompressed = []; // all zeros between calls
    private static readonly MemoryStream Compressed = new();

    /// <summary>The line for <paramref name="h"/> (its tag, start and end timestamps, maximum), without the newline.</summary>
    public static string Of(HistogramBase h)
    {
        var payload = Payload(h);
        var start = h.StartTimeStamp / 1000.0;
        var length = h.EndTimeStamp / 1000.0 - start;
        var max = h.GetMaxValue() / MaxValueUnitRatio;
        return h.Tag is null
            ? string.Create(CultureInfo.InvariantCulture, $"{start:F3},{length:F3},{max:F3},{payload}")
            : string.Create(CultureInfo.InvariantCulture, $"Tag={h.Tag},{start:F3},{length:F3},{max:F3},{payload}");
    }

    /// <summary>The line's last field alone: the base64 of the compressed histogram (how results JSON carries one).</summary>
    public static string Payload(HistogramBase h)
    {
        lock (Gate) return Convert.ToBase64String(Compress(h));
    }

    /// <summary>HdrHistogram's compressed encoding of <paramref name="h"/>, valid until the next call (under <see cref="Gate"/>).</summary>
    private static ReadOnlySpan<byte> Compress(HistogramBase h)
    {
        var capacity = h.GetNeededByteBufferCapacity();
        if (_encoded is null || _encoded.Capacity() != capacity)
        {
            _encoded = ByteBuffer.Allocate(capacity);
            _uncompressed = new byte[capacity];
        }
        _encoded.Position = 0;
        var length = h.Encode(_encoded, HistogramEncoderV2.Instance);
        Compressed.SetLength(0);
        Compressed.Write([0, 0, 0, 0, 0, 0, 0, 0, 0x58, 0x85]); // cookie and length, filled in below; the RFC 1950 header
        try
        {
            // ByteBuffer shows its array to nobody; the encoding is small (runs of zeros are compacted), so bytewise is cheap.
            _encoded.Position = 0;
            for (int i = 0; i < length; i++) _uncompressed[i] = _encoded.Get();
            using var deflate = new DeflateStream(Compressed, CompressionMode.Compress, leaveOpen: true);
            deflate.Write(_uncompressed, 0, capacity);
        }
        finally
        {
            Array.Clear(_uncompressed, 0, length);
        }

        var bytes = Compressed.GetBuffer().AsSpan(0, (int)Compressed.Length);
        BinaryPrimitives.WriteInt32BigEndian(bytes, CompressedCookieV2);
        BinaryPrimitives.WriteInt32BigEndian(bytes[4..], bytes.Length - 8);
        return bytes;
    }
}
