using System.Buffers.Binary;

namespace ConnBurst.Monitor.Proc;

/// <summary>
/// Lists a /proc directory (/proc/PID/fd, /proc/PID/task) with getdents64 on a descriptor that is rewound
/// between samples, so counting a process's descriptors or threads allocates nothing (Directory.Enumerate* would
/// allocate a string per entry).
/// </summary>
internal sealed class DirectoryEntries(string path) : IDisposable
{
    private readonly byte[] _path = Native.PathBytes(path);
    private readonly byte[] _buffer = new byte[32 * 1024];
    private int _fd = -1;

    public string Path { get; } = path;

    /// <summary>Calls <paramref name="onNumericEntry"/> for each entry whose name is a number (fds, thread ids); returns the count, or -1
    /// if unreadable.</summary>
    public int ForEachNumeric<TState>(TState state, Action<TState, int>? onNumericEntry)
    {
        if (_fd < 0) _fd = Native.Open(_path, directory: true);
        else if (!Native.Rewind(_fd)) Close();
        if (_fd < 0) return -1;
        var count = 0;
        while (true)
        {
            var n = Native.GetDents64(_fd, _buffer);
            if (n < 0) { Close(); return -1; }
            if (n == 0) return count;
            // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
            for (var pos = 0; pos < n;)
            {
                var reclen = BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(pos + 16));
                var name = _buffer.AsSpan(pos + 19, reclen - 19);
                var nul = name.IndexOf((byte)0);
                if (nul >= 0) name = name[..nul];
                if (TryParseNumber(name, out var number))
                {
                    count++;
                    onNumericEntry?.Invoke(state, number);
                }
                pos += reclen;
            }
        }
    }

    public int CountNumeric() => ForEachNumeric<object?>(null, null);

    private static bool TryParseNumber(ReadOnlySpan<byte> name, out int number)
    {
        number = 0;
        if (name.Length == 0) return false;
        foreach (var b in name)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            number = number * 10 + (b - '0');
        }
        return true;
    }

    private void Close()
    {
        if (_fd >= 0) Native.Close(_fd);
        _fd = -1;
    }

    public void Dispose() => Close();
}
