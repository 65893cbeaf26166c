using System.Diagnostics;
using HdrHistogram;
using ConnBurst.Stages;

namespace ConnBurst.Recording;

/// <summary>
/// One engine's per-stage recording of a staged run: every attempt is counted and timed in the stage its due time
/// falls in, wherever it completes (an overloaded stage's timeouts land in the stage that offered them, not in the
/// next). Beside the interval recorders, not instead of them. A stage's cell is made on its first attempt and handed
/// over once (<see cref="TakeSettled"/>) when no attempt of it can still be in flight, so only the stages in progress
/// hold histograms. Recording is lock-free from any thread.
/// </summary>
internal sealed class StageRecorders
{
    private sealed class Cell
    {
        public readonly BurstCounters Counters = new();
        public readonly HistogramBase[] Histograms = BurstPhases.All.Select(_ => (HistogramBase)new AtomicLongHistogram(0, 1,
            LatencyHistograms.HighestTrackableMicros, LatencyHistograms.SignificantDigits)).ToArray();
        /// <summary>Micros late of the stage's first attempt, +1 (0: none yet).</summary>
        public long FirstLatePlusOne;
        public bool Taken;
    }

    private readonly StagePlan _plan;
    private readonly long _t0;
    private readonly long _frequency;
    /// <summary>How long after a stage's end its last attempt may still settle: the connect timeout, the heartbeat's
    /// period and a margin for a busy machine.</summary>
    private readonly long _settleTicks;
    private readonly Cell?[] _cells;
    /// <summary>This process's CPU seconds when each stage boundary passed (NaN: not yet): the generator's cost per stage.</summary>
    private readonly double[] _cpuAtBoundary;
    private int _nextBoundary;

    /// <param name="t0">The run's t0 as a Stopwatch timestamp.</param>
    public StageRecorders(StagePlan plan, long t0, TimeSpan connectTimeout, long frequency)
    {
        _plan = plan;
        _t0 = t0;
        _frequency = frequency;
        _settleTicks = (long)((connectTimeout.TotalSeconds + 5) * frequency);
        _cells = new Cell?[plan.Count];
        _cpuAtBoundary = Enumerable.Repeat(double.NaN, plan.Count + 1).ToArray();
    }

    /// <summary>Notes this process's CPU time at every stage boundary that has passed by <paramref name="now"/>; the scheduler
    /// thread calls it on each of its wake-ups (at least ten a second), so a boundary's figure is at most that late.</summary>
    public void NoteTime(long now)
    {
        while (_nextBoundary <= _plan.Count && now >= _t0 + (long)(_plan.StartSeconds(_nextBoundary) * _frequency))
            _cpuAtBoundary[_nextBoundary++] = Environment.CpuUsage.TotalTime.TotalSeconds;
    }

    /// <summary>CPU seconds this process spent in stage <paramref name="i"/>'s time (to now, when it had not ended); null
    /// when the stage never began.</summary>
    private double? CpuSecondsOf(int i)
    {
        var start = _cpuAtBoundary[i];
        if (double.IsNaN(start)) return null;
        var end = double.IsNaN(_cpuAtBoundary[i + 1]) ? Environment.CpuUsage.TotalTime.TotalSeconds : _cpuAtBoundary[i + 1];
        return Math.Round(end - start, 3);
    }

    /// <summary>The stage an attempt due at <paramref name="dueTicks"/> belongs to.</summary>
    public int StageOf(long dueTicks) => _plan.StageAt((dueTicks - _t0) / (double)_frequency);

    public void Attempt(int stage, long lateMicros)
    {
        var cell = CellOf(stage);
        cell.Counters.Attempt();
        Interlocked.CompareExchange(ref cell.FirstLatePlusOne, Math.Max(0, lateMicros) + 1, 0);
        cell.Histograms[(int)BurstPhase.SchedulerLag].RecordMicros(Math.Max(1, lateMicros));
    }

    public void Record(int stage, BurstPhase phase, long micros) => CellOf(stage).Histograms[(int)phase].RecordMicros(micros);
    public void Connacked(int stage) => CellOf(stage).Counters.Connacked();
    public void Failed(int stage, FailureKind kind, string reason) => CellOf(stage).Counters.Failed(kind, reason);
    public void Abandoned(int stage) => CellOf(stage).Counters.Abandoned();
    public void Unconfirmed(int stage) => CellOf(stage).Counters.TlsUnconfirmed();

    private Cell CellOf(int stage) =>
        Volatile.Read(ref _cells[stage]) ?? Interlocked.CompareExchange(ref _cells[stage], new Cell(), null) ?? _cells[stage]!;

    /// <summary>
    /// The stages whose attempts have all settled by <paramref name="now"/> (or every stage, at the end of the run), each
    /// once: their counters and copies of their histograms. Call from one thread.
    /// </summary>
    public List<StagePart> TakeSettled(long now, bool final)
    {
        var parts = new List<StagePart>();
        for (int i = 0; i < _cells.Length; i++)
        {
            var cell = Volatile.Read(ref _cells[i]);
            if (cell is null || cell.Taken) continue;
            var settledAt = _t0 + (long)(_plan.EndSeconds(i) * _frequency) + _settleTicks;
            if (!final && now < settledAt) continue;
            cell.Taken = true;
            var late = Interlocked.Read(ref cell.FirstLatePlusOne);
            parts.Add(new StagePart
            {
                Stage = i,
                Counters = WithoutGauges(cell.Counters.Snapshot()),
                WokeLateMs = late == 0 ? null : (late - 1) / 1000.0,
                CpuSeconds = CpuSecondsOf(i),
                Cores = Environment.ProcessorCount,
                Histograms = cell.Histograms.Select(h => { var c = LatencyHistograms.Create(); c.Add(h); return c; }).ToArray(),
            });
            _cells[i] = null; // its histograms go with the part; a later record (none can come) would start a fresh cell
        }
        return parts;
    }

    /// <summary>A stage's counts are totals; the levels (connected now, in flight) belong to the run, not to a stage.</summary>
    private static CounterSnapshot WithoutGauges(CounterSnapshot s)
    {
        s.Gauges.Clear();
        return s;
    }
}
