using ConnBurst.Runs;

namespace ConnBurst.Cli.Progress;

/// <summary>
/// What <c>connburst chat</c> prints as its series runs: progress lines after "chat: ", each run's text report and
/// file paths, the comparison; warnings and errors on stderr after "connburst chat: ".
/// </summary>
internal sealed class ChatSeriesConsole : IChatSeriesView
{
    public void Say(string line) => Console.WriteLine($"chat: {line}");

    public void Warn(string text) => Console.Error.WriteLine($"connburst chat: WARNING {text}");

    public void Written(ChatRunWritten run)
    {
        var files = run.Files;
        if (files.Text is not null) Console.Write(File.ReadAllText(files.Text));
        foreach (var problem in files.Problems) Console.Error.WriteLine($"connburst chat: warning: {problem}");
        if (files.Text is not null) Console.WriteLine($"chat: results {files.Text}");
        if (files.Png is not null) Console.WriteLine($"chat: chart   {files.Png}");
        if (run.Error is not null) Console.Error.WriteLine($"connburst chat: {run.Error}");
    }

    public void Compared(ChatComparisonFiles c)
    {
        Console.WriteLine();
        Console.Write(c.Body);
        Console.WriteLine($"chat: comparison {c.TextPath}");
        if (c.PngPath is not null) Console.WriteLine($"chat: comparison chart {c.PngPath}");
        else Console.Error.WriteLine($"connburst chat: warning: comparison chart: {c.PngError}");
    }
}
