using System.Diagnostics;

namespace ConnBurst.Load.Chat;

/// <summary>
/// When each message is due (open loop: a late send does not push later ones back, and latency counts from the due
/// time). Without --rate, client i's message j is due at start + DURATION * (j + i/CLIENTS) / MESSAGES: each client's
/// messages evenly spread, clients staggered. With --rate R, the k-th message overall (k = j*CLIENTS + i) is due at
/// start + k/R, and messages that would fall after DURATION are not sent.
/// </summary>
internal sealed class SendSchedule(long startTicks, ChatRunOptions o)
{
    private readonly double _ticksPerSecond = Stopwatch.Frequency;

    public long Due(int client, int seq)
    {
        double seconds = o.Rate is { } rate
            ? ((double)seq * o.Clients + client) / rate
            : o.Duration.TotalSeconds * (seq + (double)client / o.Clients) / Math.Max(1, o.MessagesPerClient);
        return startTicks + (long)(seconds * _ticksPerSecond);
    }

    /// <summary>How many messages client <paramref name="client"/> sends: all of them, or with --rate those due within DURATION.</summary>
    public int CountFor(int client)
    {
        if (o.Rate is not { } rate) return o.MessagesPerClient;
        var window = o.Duration.TotalSeconds * rate; // messages overall that fit the window
        var perClient = (int)Math.Floor((window - client - 1) / o.Clients) + 1;
        return Math.Clamp(perClient, 0, o.MessagesPerClient);
    }
}
