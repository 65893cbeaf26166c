using ConnBurst.Recording;
using ConnBurst.Results;

namespace ConnBurst.Load;

/// <summary>
/// What watches a burst from outside it (Runs/BurstTelemetry: the server's monitor and Graphite): each closed interval,
/// then the finished document, before it is written. Load knows only this interface, so attaching a monitor is the
/// orchestration layer's business.
/// </summary>
internal interface IBurstObserver
{
    void OnInterval(IntervalProgress interval);

    /// <summary>Adds what the observer knows to the results (the server's side); must not throw.</summary>
    Task FinishAsync(ResultsDocument doc);
}
