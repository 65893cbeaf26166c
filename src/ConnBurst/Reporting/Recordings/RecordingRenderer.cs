using ConnBurst.Monitor;
using ConnBurst.Reporting.Renderers;

namespace ConnBurst.Reporting.Recordings;

/// <summary>
/// A monitor recording's own samples and summary, carried by its <see cref="RunReport"/> only while the monitor
/// writes it at STOP: the chat benchmark's text file and charts need every sample at full precision and every thread,
/// which the results document keeps rounded and capped.
/// </summary>
internal sealed record MonitorRecording(RecordingResult Result, MonitorSummary Summary)
{
    public bool WatchesProcess => Result.ProcessName is not null || Result.ProcessPid is not null;
}

/// <summary>
/// One file of a monitor recording, named <c>&lt;stem&gt;_&lt;TIMESTAMP&gt;.&lt;ext&gt;</c> as the chat benchmark names them (the
/// timestamp is the output's base name). Written for runs that carry the monitor's own samples; nothing for others.
/// </summary>
internal abstract class RecordingRenderer(string format, string stem, string extension) : RunFileRenderer
{
    /// <summary>Also the file's key in the summary's "files".</summary>
    public override string Format => format;

    protected override bool AppliesTo(RunReport run) => run.Recording is { } m && AppliesTo(m);

    protected override string FileName(RunReport run, string baseName) => $"{stem}_{baseName}.{extension}";

    protected override void Render(string path, RunReport run) => Render(path, run.Recording!);

    protected virtual bool AppliesTo(MonitorRecording m) => true;

    protected abstract void Render(string path, MonitorRecording m);
}
