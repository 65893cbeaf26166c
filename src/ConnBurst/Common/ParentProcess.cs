namespace ConnBurst.Common;

/// <summary>
/// Worker processes (`burst --workers`, `serve mqtt --workers`) read their stdin, whose other end their parent holds:
/// end of stdin means the parent asks them to stop or is gone, even when it died by SIGKILL and could signal nobody.
/// Without it, `serve mqtt --workers` children outlived a killed parent and kept the port (seen after bench/hold.sh).
/// </summary>
internal static class ParentProcess
{
    /// <summary>Cancels <paramref name="stop"/> when stdin ends; returns at once.</summary>
    public static void CancelWhenStdinCloses(CancellationTokenSource stop)
    {
        var token = stop.Token;
        _ = Task.Run(async () =>
        {
            try { while (await Console.In.ReadLineAsync(token).ConfigureAwait(false) is not null) { } }
            catch (OperationCanceledException) { return; }
            catch (IOException) { }
            try { stop.Cancel(); } catch (ObjectDisposedException) { /* the worker already finished */ }
        }, CancellationToken.None);
    }
}
