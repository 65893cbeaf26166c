using System.Diagnostics;

namespace ConnBurst.Monitor;

/// <summary>
/// The samples of one recording (START to STOP), stored column by column so every series is one array.
/// Arrays double when full, so appending costs nothing per sample but a copy every doubling.
/// </summary>
internal sealed class Recording
{
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private double[] _times;
    private readonly double[][] _data;

    /// <param name="startedAt">When START came; now unless the recording is read back from its journal.</param>
    public Recording(string label, IReadOnlyList<string> columns, int initialCapacity = 512, DateTimeOffset? startedAt = null)
    {
        Label = label;
        Columns = columns;
        StartedAt = startedAt ?? DateTimeOffset.Now;
        _times = new double[initialCapacity];
        _data = new double[columns.Count][];
        for (var i = 0; i < _data.Length; i++) _data[i] = new double[initialCapacity];
    }

    public string Label { get; }
    public IReadOnlyList<string> Columns { get; }
    public DateTimeOffset StartedAt { get; }
    public int Count { get; private set; }
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startTimestamp);

    /// <summary>Seconds since START of each sample (the end of the interval it covers).</summary>
    public ReadOnlySpan<double> Times => _times.AsSpan(0, Count);

    public ReadOnlySpan<double> Column(int index) => _data[index].AsSpan(0, Count);

    public ReadOnlySpan<double> Column(string name)
    {
        for (var i = 0; i < Columns.Count; i++) if (Columns[i] == name) return Column(i);
        return default;
    }

    public void Append(ReadOnlySpan<double> values) => AppendAt(Elapsed.TotalSeconds, values);

    /// <summary>A sample at <paramref name="seconds"/> since START (a journal's samples, read back).</summary>
    public void AppendAt(double seconds, ReadOnlySpan<double> values)
    {
        if (Count == _times.Length) Grow();
        _times[Count] = seconds;
        for (var i = 0; i < _data.Length; i++) _data[i][Count] = values[i];
        Count++;
    }

    private void Grow()
    {
        var n = _times.Length * 2;
        Array.Resize(ref _times, n);
        for (var i = 0; i < _data.Length; i++) Array.Resize(ref _data[i], n);
    }
}
