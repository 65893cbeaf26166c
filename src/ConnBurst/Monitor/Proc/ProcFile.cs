namespace ConnBurst.Monitor.Proc;

/// <summary>
/// One /proc text file, read line by line into a buffer that is reused across samples. /proc files are
/// generated on read, and a pread at offset 0 regenerates them, so a descriptor kept open serves every sample
/// (<c>keepOpen</c>); per-thread files are opened and closed per sample instead, so a process with thousands of
/// threads does not cost the monitor thousands of descriptors. Large files (/proc/net/tcp with a million
/// sockets) stream through the buffer: it only grows to hold the longest line, never the whole file.
/// </summary>
internal sealed class ProcFile : IDisposable
{
    private readonly byte[] _path;
    private readonly bool _keepOpen;
    private byte[] _buffer;
    private int _fd = -1;
    private int _start;
    private int _end;
    private long _offset;
    private bool _eof;

    public ProcFile(string path, bool keepOpen = true, int bufferSize = 8192)
    {
        Path = path;
        _path = Native.PathBytes(path);
        _keepOpen = keepOpen;
        _buffer = new byte[bufferSize];
    }

    public string Path { get; }

    /// <summary>True when the last read hit an error (the process or thread ended mid-read).</summary>
    public bool Failed { get; private set; }

    /// <summary>Starts a fresh read from the top; false when the file cannot be opened (it no longer exists).</summary>
    public bool Begin()
    {
        _start = _end = 0;
        _offset = 0;
        _eof = false;
        Failed = false;
        if (_fd < 0) _fd = Native.Open(_path);
        if (_fd < 0) { Failed = true; return false; }
        return true;
    }

    /// <summary>The next line without its newline; the span is valid until the next call.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var nl = pending.IndexOf((byte)'\n');
            if (nl >= 0)
            {
                line = pending[..nl];
                _start += nl + 1;
                return true;
            }
            if (_eof)
            {
                line = pending;
                _start = _end;
                if (pending.Length > 0) return true;
                End();
                return false;
            }
            Fill();
        }
    }

    /// <summary>Reads the whole (small) file and returns it; for one-line files like /proc/loadavg and /proc/PID/stat.</summary>
    public ReadOnlySpan<byte> ReadAll()
    {
        if (!Begin()) return default;
        while (!_eof)
        {
            if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            Fill();
        }
        var all = _buffer.AsSpan(0, _end);
        End();
        return all;
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        // A line longer than the buffer: grow once; steady state never gets here again.
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var n = _fd >= 0 ? Native.Pread(_fd, _buffer.AsSpan(_end), _offset) : -1;
        if (n < 0)
        {
            Failed = true;
            _eof = true;
            CloseFd();
            return;
        }
        if (n == 0) { _eof = true; return; }
        _end += n;
        _offset += n;
    }

    private void End()
    {
        if (!_keepOpen) CloseFd();
    }

    private void CloseFd()
    {
        if (_fd >= 0) Native.Close(_fd);
        _fd = -1;
    }

    public void Dispose() => CloseFd();
}
