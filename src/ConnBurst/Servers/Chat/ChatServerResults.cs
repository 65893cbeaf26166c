using System.Text.Json.Nodes;
using ConnBurst.Results;

namespace ConnBurst.Servers.Chat;

/// <summary>The results document a <c>serve chat</c> run writes on exit (kind "server"), like every other command.</summary>
internal static class ChatServerResults
{
    public static ResultsDocument Build(ChatServer server, JsonObject config, DateTimeOffset started)
    {
        var doc = ResultsDocument.Start("server", started, config);
        doc.Counts = new Counts { Attempted = server.Transport.Accepted, Connected = server.Transport.HandshakesOk };
        foreach (var (k, v) in server.Transport.FailedByReason()) if (v > 0) doc.Counts.Failed["tls-" + k] = v;
        foreach (var e in ConnBurst.Chat.ChatErrors.All)
            if (server.Counters.Errors(e) is var n and > 0) doc.Counts.Failed["chat-" + ConnBurst.Chat.ChatErrors.Token(e)] = n;
        doc.Counts.Other["messagesIn"] = server.Counters.MessagesIn;
        doc.Counts.Other["messagesOut"] = server.Counters.MessagesOut;
        doc.Counts.Other["slowReadersDropped"] = server.Counters.SlowReadersDropped;
        doc.Counts.Other["tls12Sessions"] = server.Counters.Tls12;
        doc.Counts.Other["tls13Sessions"] = server.Counters.Tls13;
        doc.Sections["server"] = server.ToJson();
        return doc;
    }
}
