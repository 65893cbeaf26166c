namespace ConnBurst.Load;

/// <summary>
/// Unmeasured connections before a measured run. A freshly started .NET server, and this generator, run their handshake
/// path as tier-0 JIT code for the first few hundred connections; a measured run that starts cold puts a core near
/// 100% for its first seconds and the CPU verdict judges start-up, not the server (the demo's 100 connects/s burst
/// peaked at 86-96% busy cold, 45% warm). The warm-up's connections are all closed at once when it ends, so it waits
/// for those closes to settle on the server before the measured run begins.
/// </summary>
internal static class BurstWarmUp
{
    public const int Clients = 200;
    public const double Rate = 100;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    /// <summary>Connects <see cref="Clients"/> clients once at <see cref="Rate"/>/s with <paramref name="template"/>'s
    /// target, TLS and identity; no monitor, no Graphite, its results in <paramref name="resultsDir"/>.</summary>
    public static async Task RunAsync(BurstOptions template, string resultsDir, CancellationToken ct)
    {
        var options = template with
        {
            Clients = Clients, Rate = Rate, Linger = null, Duration = null, Monitor = null, Graphite = null,
            ResultsDir = resultsDir, Snapshot = TimeSpan.FromSeconds(1),
        };
        await BurstRunner.RunAsync(options, null, ct, null).ConfigureAwait(false);
        await Task.Delay(Settle, ct).ConfigureAwait(false);
    }
}
