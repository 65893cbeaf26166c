namespace ConnBurst.Monitor;

/// <summary>What writing a finished recording produced: its summary, the results JSON, and the files that failed.</summary>
internal sealed record RecordingFiles(MonitorSummary Summary, string JsonPath, IReadOnlyList<string> Problems);

/// <summary>Writes a finished recording into a directory (Reporting's monitor renderers do it for the CLI).</summary>
internal delegate RecordingFiles RecordingWriter(RecordingResult result, string directory);
