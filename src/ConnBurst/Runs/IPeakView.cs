using ConnBurst.Reporting.Sections;

namespace ConnBurst.Runs;

/// <summary>What a peak search tells whoever shows it, as it goes (<c>peak</c> prints it; <c>demo</c> indents it under its own
/// lines).</summary>
internal interface IPeakView
{
    /// <summary>The search is about to start with these settings.</summary>
    void Planned(PeakRun.Settings settings);

    /// <summary>A step finished.</summary>
    void Step(PeakStepRecord step);

    /// <summary>A line from the search or its steps (warnings among them).</summary>
    void Log(string line);

    /// <summary>The search ended and its report is written.</summary>
    void Reported(PeakRun.Reported report);
}
