namespace ConnBurst.Monitor.Proc;

/// <summary>
/// Load averages from /proc/loadavg.
/// <code>
/// 8.66 2.97 1.15 14/330 7949
/// </code>
/// (1, 5 and 15 minute averages, runnable/total tasks, last pid.)
/// </summary>
internal sealed class LoadAvgReader(string path = "/proc/loadavg") : IDisposable
{
    private readonly ProcFile _file = new(path);

    public double Load1 { get; private set; }
    public double Load5 { get; private set; }
    public double Load15 { get; private set; }
    public double Runnable { get; private set; }

    public bool Sample()
    {
        var text = _file.ReadAll();
        if (text.IsEmpty) return false;
        var c = new FieldCursor(text);
        Load1 = c.NextDouble();
        Load5 = c.NextDouble();
        Load15 = c.NextDouble();
        if (c.Next(out var tasks))
        {
            var slash = tasks.IndexOf((byte)'/');
            Runnable = slash > 0 ? FieldCursor.ParseLong(tasks[..slash]) : 0;
        }
        return true;
    }

    public void Dispose() => _file.Dispose();
}
