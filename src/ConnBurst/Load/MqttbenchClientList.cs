using System.Buffers;
using System.Text.Json;
using ConnBurst.Common;

namespace ConnBurst.Load;

/// <summary>
/// Reads mqttbench's client-list JSON (an array of objects: <c>_id, version "TCP5", dst, dstPort, useTLS,
/// clientCertPath, clientKeyPath, cleanStart, lingerTimeSecs, reconnectDelayUSecs, username, password</c>) with a streaming
/// <see cref="Utf8JsonReader"/> over a refilled buffer, so a 1M-client file is never parsed into a DOM.
/// Fields ConnBurst does not use are counted in <see cref="ClientList.UnknownFields"/>, never silently dropped.
/// Entries ConnBurst cannot honour (another MQTT version, plain TCP) are refused with the entry's number.
/// </summary>
internal static class MqttbenchClientList
{
    private sealed class Entry
    {
        public string? Id, Version, Dst, Cert, Key, UserName, Password;
        public int Port = -1;
        public bool UseTls = true, CleanStart = true;
        public double Linger = -1;
        public long DelayUs;
        public void Reset()
        {
            Id = Version = Dst = Cert = Key = UserName = Password = null;
            Port = -1; UseTls = true; CleanStart = true; Linger = -1; DelayUs = 0;
        }
    }

    public static ClientList Read(string path)
    {
        var list = new ClientList { Format = "mqttbench" };
        using var stream = File.OpenRead(path);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int filled = 0;
            bool final = false;
            var state = new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true });
            var parser = new Parser(list, path);
            while (true)
            {
                if (!final)
                {
                    if (filled == buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, filled).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                    var n = stream.Read(buffer, filled, buffer.Length - filled);
                    if (n == 0) final = true;
                    filled += n;
                }
                var reader = new Utf8JsonReader(buffer.AsSpan(0, filled), final, state);
                try
                {
                    while (reader.Read()) parser.Token(ref reader);
                }
                catch (JsonException e)
                {
                    throw new InputException($"{path}: malformed mqttbench client list: {e.Message}");
                }
                var consumed = (int)reader.BytesConsumed;
                state = reader.CurrentState;
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                if (final)
                {
                    if (!parser.Done) throw new InputException($"{path}: malformed mqttbench client list: unexpected end of file");
                    break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return list;
    }

    /// <summary>A tiny state machine over tokens: array → objects → flat properties (nested values are skipped and reported).</summary>
    private sealed class Parser(ClientList list, string path)
    {
        private readonly Entry _e = new();
        private int _depth;
        private int _index;
        private string? _property;
        private int _skipDepth = -1;
        public bool Done { get; private set; }

        public void Token(ref Utf8JsonReader r)
        {
            var t = r.TokenType;
            if (_skipDepth >= 0)
            {
                if (t is JsonTokenType.StartArray or JsonTokenType.StartObject)
                {
                    _depth++;
                }
                else if (t is JsonTokenType.EndArray or JsonTokenType.EndObject) { _depth--; if (_depth == _skipDepth) _skipDepth = -1; }
                return;
            }
            switch (_depth)
            {
                case 0:
                    if (t != JsonTokenType.StartArray) throw Bad("the file must be a JSON array of client objects");
                    _depth = 1;
                    return;
                case 1:
                    if (t == JsonTokenType.EndArray) { _depth = 0; Done = true; return; }
                    if (t != JsonTokenType.StartObject) throw Bad($"entry {_index + 1} is not an object");
                    _e.Reset();
                    _depth = 2;
                    return;
                default:
                    if (t == JsonTokenType.EndObject) { Finish(); _depth = 1; _index++; return; }
                    if (t == JsonTokenType.PropertyName) { _property = r.GetString(); return; }
                    Value(ref r, t);
                    return;
            }
        }

        private void Value(ref Utf8JsonReader r, JsonTokenType t)
        {
            var name = _property ?? "";
            if (t is JsonTokenType.StartArray or JsonTokenType.StartObject)
            {
                list.NoteUnknownField(name);
                _skipDepth = _depth;
                _depth++;
                return;
            }
            try
            {
                switch (name)
                {
                    case "_id": _e.Id = AsString(ref r, t); break;
                    case "version": _e.Version = AsString(ref r, t); break;
                    case "dst": _e.Dst = AsString(ref r, t); break;
                    case "dstPort": _e.Port = r.GetInt32(); break;
                    case "useTLS": _e.UseTls = r.GetBoolean(); break;
                    case "clientCertPath": _e.Cert = AsString(ref r, t); break;
                    case "clientKeyPath": _e.Key = AsString(ref r, t); break;
                    case "cleanStart": _e.CleanStart = r.GetBoolean(); break;
                    case "lingerTimeSecs": _e.Linger = r.GetDouble(); break;
                    case "reconnectDelayUSecs": _e.DelayUs = r.GetInt64(); break;
                    case "username": _e.UserName = AsString(ref r, t); break;
                    case "password": _e.Password = AsString(ref r, t); break;
                    default: list.NoteUnknownField(name); break;
                }
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw Bad($"entry {_index + 1}: field '{name}' has the wrong type ({t})");
            }
        }

        private static string? AsString(ref Utf8JsonReader r, JsonTokenType t) =>
            t == JsonTokenType.Null ? null : t == JsonTokenType.String ? r.GetString() : throw new InvalidOperationException();

        private void Finish()
        {
            var n = _index + 1;
            if (string.IsNullOrEmpty(_e.Id)) throw Bad($"entry {n} has no _id");
            if (_e.Version is not null && _e.Version != "TCP5")
                throw Bad($"entry {n} ({_e.Id}): version '{_e.Version}' is not supported (ConnBurst speaks MQTT v5: \"TCP5\")");
            if (!_e.UseTls) throw Bad($"entry {n} ({_e.Id}): useTLS=false is not supported (ConnBurst measures TLS connects)");
            if (string.IsNullOrEmpty(_e.Dst)) throw Bad($"entry {n} ({_e.Id}) has no dst");
            if (_e.Port is < 1 or > 65535) throw Bad($"entry {n} ({_e.Id}) has no valid dstPort");
            if ((_e.Cert is null) != (_e.Key is null)) throw Bad($"entry {n} ({_e.Id}): clientCertPath and clientKeyPath go together");
            var cred = _e.Cert is null ? null : new ClientCredential(_e.Cert, _e.Key!);
            list.Add(_e.Id!, new HostPort(_e.Dst!, _e.Port), cred, _e.Linger < 0 ? -1 : (int)(_e.Linger * 1000),
                (int)Math.Min(_e.DelayUs / 1000, int.MaxValue), _e.CleanStart, _e.UserName, _e.Password);
        }

        private InputException Bad(string what) => new($"{path}: {what}");
    }
}
