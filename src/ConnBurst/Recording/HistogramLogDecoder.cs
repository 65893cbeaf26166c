using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using HdrHistogram;

namespace ConnBurst.Recording;

/// <summary>
/// Adds the histogram in one interval-log payload (the base64 last field of a <see cref="HistogramLogLine"/>) into an
/// existing histogram of the same shape, from buffers kept for the process. HdrHistogram.NET's reader allocates a new
/// histogram and buffers of the histogram's full size for every line it reads (on the large-object heap): a parent of 12
/// workers did that 72 times a snapshot interval. The format is the inverse of <see cref="HistogramLogLine"/>'s steps
/// (2.5.0's HistogramEncoding and HistogramEncoderV2): compressed cookie and length, big-endian; zlib data; the V2 header
/// (cookie, payload length, normalizing index offset, significant digits, lowest and highest trackable value, integer to
/// double ratio); then one ZigZag LEB128 (at most 9 bytes) per counts index, a negative one being a run of zero counts.
/// </summary>
internal static class HistogramLogDecoder
{
    // The cookies' low byte carries the word size, which V2's variable-length counts make irrelevant (the Java reader masks it).
    private const int CookieMask = ~0xf0;
    private const int CompressedCookieBaseV2 = HistogramLogLine.CompressedCookieV2 & CookieMask;
    private const int CookieBaseV2 = 0x1c849303;
    private const int HeaderLength = 40;

    private static readonly Lock Gate = new(); // a line per phase per worker report, read on one thread: no contention
    private static byte[] _compressed = [];
    private static byte[] _inflated = [];

    /// <summary>
    /// Adds the counts of the encoded histogram into <paramref name="target"/>. A payload that is not base64, not V2, or of
    /// another shape than <paramref name="target"/>'s throws <see cref="FormatException"/>; counts read before that stay added.
    /// </summary>
    public static void AddInto(HistogramBase target, ReadOnlySpan<char> base64)
    {
        lock (Gate)
        {
            var payload = Inflate(base64, target.GetNeededByteBufferCapacity());
            CheckShape(target, payload);
            AddCounts(target, payload[HeaderLength..]);
        }
    }

    /// <summary>The V2 header and counts, valid until the next call (under <see cref="Gate"/>).</summary>
    private static ReadOnlySpan<byte> Inflate(ReadOnlySpan<char> base64, int maxLength)
    {
        var size = base64.Length / 4 * 3;
        if (_compressed.Length < size) _compressed = new byte[size];
        if (!Convert.TryFromBase64Chars(base64, _compressed, out var length)) throw new FormatException("histogram: not base64");
        var bytes = _compressed.AsSpan(0, length);
        if (length < 10 || (BinaryPrimitives.ReadInt32BigEndian(bytes) & CookieMask) != CompressedCookieBaseV2)
            throw new FormatException("histogram: not HdrHistogram's compressed V2 encoding");
        var compressedLength = BinaryPrimitives.ReadInt32BigEndian(bytes[4..]);
        // RFC 1950: deflate (CM 8), no preset dictionary, and the check bits; then raw deflate, which DeflateStream reads.
        if (compressedLength < 2 || compressedLength > length - 8 || (bytes[8] & 0x0f) != 8 || (bytes[9] & 0x20) != 0
            || (bytes[8] << 8 | bytes[9]) % 31 != 0)
        {
            throw new FormatException("histogram: bad zlib header or length");
        }

        using var zlib = new MemoryStream(_compressed, 10, compressedLength - 2, writable: false);
        using var deflate = new DeflateStream(zlib, CompressionMode.Decompress);
        if (_inflated.Length < HeaderLength) _inflated = new byte[HeaderLength];
        try
        {
            deflate.ReadExactly(_inflated, 0, HeaderLength);
            var countsLength = BinaryPrimitives.ReadInt32BigEndian(_inflated.AsSpan(4));
            if (countsLength < 0 || countsLength > maxLength - HeaderLength)
                throw new FormatException($"histogram: a payload of {countsLength} bytes is more than its shape holds");
            // Only the encoding: the writer deflated the whole buffer, zeros after the encoding included.
            if (_inflated.Length < HeaderLength + countsLength) Array.Resize(ref _inflated, HeaderLength + countsLength);
            deflate.ReadExactly(_inflated, HeaderLength, countsLength);
            return _inflated.AsSpan(0, HeaderLength + countsLength);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            throw new FormatException("histogram: truncated or corrupt compressed data", e);
        }
    }

    private static void CheckShape(HistogramBase target, ReadOnlySpan<byte> header)
    {
        if ((BinaryPrimitives.ReadInt32BigEndian(header) & CookieMask) != CookieBaseV2)
            throw new FormatException("histogram: not a V2 encoding");
        var offset = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        var digits = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
        var lowest = BinaryPrimitives.ReadInt64BigEndian(header[16..]);
        var highest = BinaryPrimitives.ReadInt64BigEndian(header[24..]);
        if (offset != 0 || digits != target.NumberOfSignificantValueDigits || lowest != target.LowestTrackableValue
            || highest != target.HighestTrackableValue)
        {
            throw new FormatException($"histogram: shape {lowest}..{highest} at {digits} digits (offset {offset}) is not the target's");
        }
    }

    private static void AddCounts(HistogramBase target, ReadOnlySpan<byte> counts)
    {
        // The lowest value of counts index i, as HistogramBase lays its counts out: the first bucket's full sub-bucket
        // range, then the upper half of each further bucket, each bucket twice the unit of the one before.
        var halfCount = target.SubBucketCount / 2;
        var halfMagnitude = BitOperations.Log2((uint)halfCount);
        var unitMagnitude = BitOperations.Log2((ulong)target.LowestTrackableValue);
        var length = (target.BucketCount + 1) * halfCount; // HistogramBase's counts length (not public)
        var index = 0;
        var at = 0;
        while (at < counts.Length)
        {
            var count = ReadZigZag(counts, ref at);
            if (count < 0)
            {
                index += (int)Math.Min(-count, int.MaxValue - (long)index);
                continue;
            }
            if (index >= length) throw new FormatException($"histogram: counts index {index} is past the shape's {length}");
            if (count > 0)
            {
                var bucket = (index >> halfMagnitude) - 1;
                var subBucket = (index & (halfCount - 1)) + halfCount;
                if (bucket < 0)
                {
                    subBucket -= halfCount;
                    bucket = 0;
                }
                target.RecordValueWithCount((long)subBucket << (bucket + unitMagnitude), count);
            }
            index++;
        }
    }

    /// <summary>LEB128-64b9B: seven bits a byte, low first, the ninth byte all eight; then ZigZag.</summary>
    private static long ReadZigZag(ReadOnlySpan<byte> bytes, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (at >= bytes.Length) throw new FormatException("histogram: a count is cut off");
            ulong b = bytes[at++];
            if (shift == 56)
            {
                value |= b << 56;
                break;
            }
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) break;
        }
        return (long)(value >> 1) ^ -(long)(value & 1);
    }
}
