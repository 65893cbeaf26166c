namespace ConnBurst.Monitor;

internal enum ControlVerb { Empty, Unknown, Auth, Start, Stop, Join, Leave, Status, Summary, Samples, Help, Ping, Quit }

/// <summary>One parsed control line: a verb (case-insensitive) and the rest of the line as its argument.</summary>
internal readonly record struct ControlCommand(ControlVerb Verb, string Word, string Argument)
{
    public const string Help =
        "AUTH <token>, START [label], STOP, JOIN <label> [UNTIL <time>], LEAVE, STATUS, SUMMARY, SAMPLES, PING, HELP, QUIT";

    public static ControlCommand Parse(string line)
    {
        var text = line.Trim();
        if (text.Length == 0) return new(ControlVerb.Empty, "", "");
        var space = text.IndexOfAny([' ', '\t']);
        var word = space < 0 ? text : text[..space];
        var argument = space < 0 ? "" : text[(space + 1)..].Trim();
        var verb = word.ToUpperInvariant() switch
        {
            "AUTH" => ControlVerb.Auth,
            "START" => ControlVerb.Start,
            "STOP" => ControlVerb.Stop,
            "JOIN" => ControlVerb.Join,
            "LEAVE" => ControlVerb.Leave,
            "SAMPLES" => ControlVerb.Samples,
            "STATUS" => ControlVerb.Status,
            "SUMMARY" => ControlVerb.Summary,
            "HELP" => ControlVerb.Help,
            "PING" => ControlVerb.Ping,
            "QUIT" => ControlVerb.Quit,
            _ => ControlVerb.Unknown,
        };
        // A label is free text, but it becomes part of file contents and logs: keep printable characters only.
        if (verb is ControlVerb.Start or ControlVerb.Join)
            argument = new string(argument.Where(c => !char.IsControl(c)).Take(200).ToArray());
        return new(verb, word, argument);
    }
}
