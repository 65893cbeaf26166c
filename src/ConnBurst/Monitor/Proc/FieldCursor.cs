using System.Buffers.Text;

namespace ConnBurst.Monitor.Proc;

/// <summary>Walks the whitespace-separated fields of one /proc line without allocating.</summary>
internal ref struct FieldCursor(ReadOnlySpan<byte> line)
{
    private ReadOnlySpan<byte> _rest = line;

    public readonly ReadOnlySpan<byte> Rest => _rest;

    public bool Next(out ReadOnlySpan<byte> field)
    {
        var i = 0;
        while (i < _rest.Length && IsSpace(_rest[i])) i++;
        var j = i;
        while (j < _rest.Length && !IsSpace(_rest[j])) j++;
        field = _rest[i..j];
        _rest = _rest[j..];
        return field.Length > 0;
    }

    public void Skip(int fields)
    {
        for (var k = 0; k < fields; k++) Next(out _);
    }

    /// <summary>The next field as an integer; 0 when it is missing or not a number (a kernel that prints fewer columns).</summary>
    public long NextLong() => Next(out var f) ? ParseLong(f) : 0;

    public double NextDouble() => Next(out var f) && Utf8Parser.TryParse(f, out double d, out _) ? d : 0;

    public static long ParseLong(ReadOnlySpan<byte> field) => Utf8Parser.TryParse(field, out long v, out _) ? v : 0;

    public static long ParseHex(ReadOnlySpan<byte> field) => Utf8Parser.TryParse(field, out long v, out _, 'X') ? v : 0;

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t';
}
