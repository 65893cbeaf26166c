using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using ConnBurst.Results;

namespace ConnBurst.Load.Chat;

/// <summary>
/// The chat benchmark's client tester: open CLIENTS TLS connections, join each to its room, wait until every member is in (so
/// every member can receive every broadcast), send MESSAGES per client spread over DURATION, wait for the last
/// broadcasts, and count: round trip at the sender, fan-out at every other member, and deliveries expected vs received.
/// Ctrl-C, a lost server or a timeout still returns everything measured so far; a killed run leaves its journal
/// (<c>chat-TLS-TS.journal.jsonl</c>, every interval as it closed), which <c>report</c> reads as "interrupted".
/// </summary>
internal sealed class ChatRun(ChatRunOptions options, Action<string> log)
{
    private static readonly TimeSpan SnapshotInterval = TimeSpan.FromSeconds(1);

    public async Task<ChatRunResult> RunAsync(CancellationToken cancel)
    {
        var o = options;
        var startedAt = DateTimeOffset.Now;
        var journal = StartJournal(o, startedAt);
        using var storageStop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var ct = storageStop.Token;
        string? storageError = null;
        var recorder = new ChatRecorder(Stopwatch.GetTimestamp(), journal);
        recorder.StorageFailed += e =>
        {
            storageError = e;
            log($"results: {e}; stopping the run (everything written so far is intact, and its figures are kept in memory)");
            storageStop.Cancel();
        };
        var endpoint = o.Server.Resolve("SERVER_IP");
        var outcome = "completed";
        string? error = null;
        var clients = new List<ChatClient>();
        var sentByRoom = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        double sendSeconds = 0;
        using var snapshotStop = new CancellationTokenSource();
        Task? snapshots = null;
        try
        {
            // One unmeasured connection first: an unreachable server or a failing handshake is one clear message, and
            // one-time start-up costs on both sides stay out of the measured handshakes.
            var (probe, detail) = await WarmUpProbe.RunAsync(endpoint, o.Tls, o.ConnectTimeout, ct).ConfigureAwait(false);
            if (probe != WarmUpProbe.Outcome.Ok)
            {
                outcome = "failed";
                if (probe == WarmUpProbe.Outcome.Unreachable)
                {
                    recorder.Failure("server-unreachable");
                    error = Common.Unreachable.Message("chat server", o.Server, detail);
                }
                else
                {
                    recorder.Failure("tls-handshake");
                    error = $"the TLS handshake with the chat server at {o.Server} failed ({detail}): check that the server accepts " +
                        $"{o.ProtocolArg} " +
                            $"(serve chat --tls any), that its certificate names '{o.Server.Host}', and that it chains to the CA trusted " +
                            $"here ({o.Trust})";
                }
                return Finish();
            }
            for (var i = 0; i < o.Clients; i++) clients.Add(new ChatClient(i, o.RoomOf(i), recorder));
            snapshots = SnapshotLoopAsync(recorder, clients, snapshotStop.Token);
            log($"connecting {o.Clients} clients to {o.Server} ({o.ProtocolArg}) ...");
            var joined = await Task.WhenAll(clients.Select(c =>
                c.ConnectAndJoinAsync(endpoint, o.Tls, o.ConnectTimeout, o.HandshakeTimeout, ct))).ConfigureAwait(false);
            var members = joined.Count(j => j);
            log($"{members}/{o.Clients} clients connected and joined {o.Rooms} room(s)");
            if (members == 0)
            {
                outcome = "failed";
                error = $"no client could connect and join at {o.Server}: " +
                    $"{string.Join(", ", recorder.Failures.Select(f => $"{f.Key}={f.Value}"))}" +
                        (recorder.Failures.ContainsKey("tls-handshake") || recorder.Failures.ContainsKey("tls-closed")
                            ? $"; check that the server speaks {o.ProtocolArg} and that its certificate names '{o.Server.Host}' and " +
                            $"chains to the CA you trust ({o.Trust})"
                            : "");
                return Finish();
            }

            // Everyone is in every room before the first message, so "every member receives every broadcast" is exact.
            var sendStart = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
            var schedule = new SendSchedule(sendStart, o);
            log($"sending {o.MessagesPerClient} message(s) per client over {Common.Durations.Format(o.Duration)}" +
                (o.Rate is { } r ? $" at {r:0.#}/s" : ""));
            var alive = clients.Where(c => c.Alive).ToList();
            await Task.WhenAll(alive.Select(c => c.SendAsync(schedule.CountFor(c.Index), schedule.Due, o.MessageSize,
                room => sentByRoom.AddOrUpdate(room, 1, static (_, n) => n + 1), ct))).ConfigureAwait(false);
            sendSeconds = Stopwatch.GetElapsedTime(sendStart).TotalSeconds;
            await DrainAsync(clients, sentByRoom, ct).ConfigureAwait(false);
            if (ct.IsCancellationRequested) outcome = "interrupted";
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            outcome = "interrupted";
        }
        return Finish();

        ChatRunResult Finish()
        {
            snapshotStop.Cancel();
            try { snapshots?.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
            // Deliveries are judged before the clients close, so a QUIT racing a late broadcast is not a loss.
            var delivery = DeliveryCheck.Of(clients, sentByRoom);
            Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask())).Wait(TimeSpan.FromSeconds(10));
            recorder.Snapshot(Stopwatch.GetTimestamp(), 0);
            if (storageError is not null)
            {
                outcome = "failed";
                error ??= storageError;
            }
            var doc = BuildDocument(startedAt, outcome, recorder, clients, delivery, sendSeconds);
            return new ChatRunResult(doc, error, journal);
        }
    }

    /// <summary>The journal's first line is the run as known at its start: its configuration and its clients, outcome "running".</summary>
    private static ResultsJournal StartJournal(ChatRunOptions o, DateTimeOffset startedAt)
    {
        var header = ResultsDocument.Start("chat", startedAt, o.Describe());
        header.Outcome = "running";
        header.Counts.Attempted = o.Clients;
        Directory.CreateDirectory(o.ResultsDir);
        var path = Path.Combine(Path.GetFullPath(o.ResultsDir),
            $"chat-{o.ProtocolArg}-{ResultsFile.Timestamp(startedAt)}{ResultsJournal.Suffix}");
        return ResultsJournal.Start(path, header);
    }

    private ResultsDocument BuildDocument(DateTimeOffset startedAt, string outcome, ChatRecorder recorder, List<ChatClient> clients,
        DeliveryCheck delivery, double sendSeconds)
    {
        var o = options;
        var doc = ResultsDocument.Start("chat", startedAt, o.Describe());
        doc.Outcome = outcome;
        doc.Latency = recorder.Summaries();
        doc.Intervals = recorder.Intervals;
        doc.Counts.Attempted = o.Clients;
        doc.Counts.Connected = delivery.Members;
        doc.Counts.Failed = recorder.Failures;
        if (delivery.Lost > 0) doc.Counts.Failed["lost-deliveries"] = delivery.Lost;
        doc.Counts.Other["messagesSent"] = recorder.Sent;
        doc.Counts.Other["deliveriesExpected"] = delivery.Expected;
        doc.Counts.Other["deliveriesReceived"] = delivery.Received;
        doc.Counts.Other["deliveriesLost"] = delivery.Lost;
        doc.Counts.Other["roundtripSamples"] = doc.Latency["roundtrip"].Count;
        doc.Counts.Other["fanoutSamples"] = doc.Latency["fanout"].Count;

        var negotiated = clients.Where(c => c.Protocol != default).GroupBy(c => c.Protocol.ToString())
            .ToDictionary(g => g.Key, g => g.Count());
        var ciphers = clients.Where(c => c.Protocol != default).GroupBy(c => c.Cipher.ToString())
            .ToDictionary(g => g.Key, g => g.Count());
        var chat = new JsonObject
        {
            ["negotiatedProtocols"] = ToJson(negotiated),
            ["cipherSuites"] = ToJson(ciphers),
            ["sendSeconds"] = Math.Round(sendSeconds, 3),
            ["messagesPerSecondSent"] = sendSeconds > 0 ? Math.Round(recorder.Sent / sendSeconds, 1) : 0,
            ["deliveriesPerSecond"] = sendSeconds > 0 ? Math.Round(delivery.Received / sendSeconds, 1) : 0,
            ["everyMemberReceivedEveryBroadcast"] = delivery.Members > 0 && delivery.Lost == 0 && delivery.Extra == 0,
            ["membersShort"] = delivery.MembersShort,
            ["deliveriesExtra"] = delivery.Extra,
            ["sendLag"] = System.Text.Json.JsonSerializer.SerializeToNode(recorder.SendLag(), ResultsFile.Json),
            ["rooms"] = new JsonArray(delivery.Rooms.Take(100).Select(r => (JsonNode)new JsonObject
            {
                ["name"] = r.Name, ["members"] = r.Members, ["sent"] = r.Sent, ["received"] = r.Received, ["expected"] = r.Expected,
            }).ToArray()),
        };
        doc.Sections["chat"] = chat;
        return doc;
    }

    private static JsonObject ToJson(Dictionary<string, int> d)
    {
        var o = new JsonObject();
        foreach (var (k, v) in d.OrderBy(kv => kv.Key, StringComparer.Ordinal)) o[k] = v;
        return o;
    }

    /// <summary>Waits until every live member has every broadcast of its room, or the drain timeout passes.</summary>
    private async Task DrainAsync(List<ChatClient> clients, ConcurrentDictionary<string, long> sentByRoom, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(options.DrainTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && !ct.IsCancellationRequested)
        {
            if (clients.All(c => !c.Alive || c.Received >= sentByRoom.GetValueOrDefault(c.Room))) return;
            try { await Task.Delay(20, ct).ConfigureAwait(false); } catch (OperationCanceledException) { return; }
        }
        if (!ct.IsCancellationRequested)
            log($"drain timeout ({Common.Durations.Format(options.DrainTimeout)}): some broadcasts did not arrive");
    }

    private static async Task SnapshotLoopAsync(ChatRecorder recorder, IReadOnlyList<ChatClient> clients, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(SnapshotInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                recorder.Snapshot(Stopwatch.GetTimestamp(), clients.Count(c => c.Alive));
            }
        }
        catch (OperationCanceledException) { }
    }
}

/// <summary>
/// A run's results document, the one-line error when the run failed, and its journal, which whoever writes the results
/// completes (deletes) once they are on disk.
/// </summary>
internal sealed record ChatRunResult(ResultsDocument Document, string? Error, ResultsJournal Journal);
