using System.Text;

namespace ConnBurst.Common;

/// <summary>
/// An append-only text file of whole lines, flushed as each is written (interval CSV, .hlog, results journal): a
/// killed process leaves every line it finished, and a full disk leaves the file cut back to its last whole line
/// instead of a torn one, so what was written before stays readable.
/// </summary>
internal sealed class LineFile : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly FileStream _out;

    public string Path { get; }

    public LineFile(string path)
    {
        Path = path;
        // Unbuffered: every line is flushed as written anyway, and with FileStream's buffer a write that failed on a
        // full disk left its bytes in the buffer, so the SetLength that cuts the torn line flushed them first, failed
        // again, and left the torn line (seen as BurstFaultTests' intermittent tornLines = 1).
        _out = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
    }

    /// <summary>Writes <paramref name="text"/> (one or more lines, each ended by \n) whole, or not at all.</summary>
    public void Write(string text)
    {
        var before = _out.Length;
        try
        {
            _out.Write(Utf8.GetBytes(text));
            _out.Flush(flushToDisk: false);
        }
        catch (IOException)
        {
            try { _out.SetLength(before); } catch (IOException) { /* the cut failed too: a reader skips a torn last line */ }
            throw;
        }
    }

    public void WriteLine(string line) => Write(line + "\n");

    public void Dispose()
    {
        try { _out.Dispose(); }
        catch (IOException) { /* a full disk: the failed write was reported when it happened */ }
    }
}
