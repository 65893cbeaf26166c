using ConnBurst.Recording;

namespace ConnBurst.Load;

/// <summary>
/// What a thread of the engine does with an exception that no single attempt owns (an event loop's turn, a snapshot's
/// hand-off): it names the error and fails the run in order, instead of ending the process before the results are
/// written. The scheduler sees <see cref="Faulted"/> on its next tick and stops the run as it stops any other
/// (docs/DECISIONS.md, "Load: failures end a run in order").
/// </summary>
internal sealed partial class BurstEngine
{
    private string? _error;

    /// <summary>The first error that failed the run (where, its type and message), or null.</summary>
    public string? Error => Volatile.Read(ref _error);

    /// <summary>For tests: runs on each event loop's thread once a turn, outside any attempt (the loop's index).</summary>
    internal Action<int>? LoopTurnProbe { get; init; }

    /// <summary>The outcome to stop with once an error failed the run, else null.</summary>
    private string? Faulted => Volatile.Read(ref _error) is null ? null : BurstOutcomes.Failed;

    private void Fault(string where, Exception e)
    {
        var error = $"internal error on {where}: {e.GetType().Name}: {e.Message}";
        if (Interlocked.CompareExchange(ref _error, error, null) is null) _log?.Invoke(error + "; stopping the run");
    }

    /// <summary>Hands one snapshot on; an exception there fails the run, and the next snapshots (the final one too) still go.</summary>
    private void Report(Action<IntervalReport> onReport, Func<IntervalReport> take)
    {
        try
        {
            onReport(take());
        }
        catch (Exception e)
        {
            Fault("the snapshot thread", e);
        }
    }

    private sealed partial class EventLoop
    {
        /// <summary>
        /// The loop's thread: an exception outside an attempt (which <see cref="Advance"/>'s own catch keeps to one attempt)
        /// fails the run; this loop's connections are closed and counted before its thread ends.
        /// </summary>
        private void RunGuarded()
        {
            try
            {
                Run();
            }
            catch (Exception e)
            {
                _e.Fault($"event loop {_part.Index}", e);
                try
                {
                    AbortAll();
                }
                catch (Exception)
                {
                    // The error is named already; what this loop still held is lost with it.
                }
            }
        }
    }
}
