using ConnBurst.Common;
using ConnBurst.Reporting.Peak;
using ConnBurst.Reporting.Tables;

namespace ConnBurst.Tests.Reporting;

public class PeakSearchTests
{
    /// <summary>A server that serves up to <paramref name="capacity"/> conn/s: latency and CPU climb with the rate, latency explodes beyond
    /// it.</summary>
    private sealed class FakeServer(double capacity, double generatorLimit = double.MaxValue, bool cpuBound = false) : IPeakStepRunner
    {
        public List<double> Rates { get; } = new();

        public Task<PeakStepResult> RunStepAsync(double rate, CancellationToken ct)
        {
            Rates.Add(rate);
            var load = rate / capacity;
            var latency = cpuBound ? 20 : load <= 1 ? 10 + 40 * load : 600 + 1000 * (load - 1);
            var cpu = cpuBound ? Math.Min(100, 85 * load) : Math.Min(100, 60 * load);
            var attempted = (long)(rate * 2);
            return Task.FromResult(new PeakStepResult(latency, cpu, attempted, attempted, 0, GeneratorLimited: rate > generatorLimit));
        }
    }

    [Theory]
    [InlineData(730)]
    [InlineData(37)]
    [InlineData(5200)]
    public async Task FindsTheKnownLimitWithinThePrecision(double capacity)
    {
        var fake = new FakeServer(capacity);
        var peak = await new PeakSearch(new PeakSearchOptions { StartRate = 100, Precision = 0.05 }, fake).RunAsync(CancellationToken.None);
        Assert.Equal("server", peak.LimitedBy);
        Assert.InRange(peak.Rate, capacity * 0.95, capacity);
        Assert.NotNull(peak.FailedRate);
        Assert.True((peak.FailedRate!.Value - peak.Rate) / peak.Rate <= 0.05, $"bracket {peak.Rate}..{peak.FailedRate}");
        Assert.Equal(fake.Rates.Count, peak.Steps.Count);
        Assert.Contains("peak", peak.Verdict);
    }

    [Fact]
    public async Task CpuOverTheBusyLimitFailsAStepEvenWhenLatencyIsFine()
    {
        var peak = await new PeakSearch(new PeakSearchOptions { StartRate = 100, Precision = 0.05 }, new FakeServer(1000, cpuBound: true))
            .RunAsync(CancellationToken.None);
        Assert.InRange(peak.Rate, 950, 1000);
        Assert.Contains(peak.Steps, s => s.Outcome == "fail-cpu");
        Assert.Contains("busy", peak.Verdict);
    }

    /// <summary>A CPU verdict says how much of the busy core was the hypervisor's steal, and each step keeps the figure.</summary>
    [Fact]
    public async Task ACpuVerdictNamesTheHypervisorsStealAndEachStepKeepsIt()
    {
        var peak = await new PeakSearch(new PeakSearchOptions { StartRate = 100, Precision = 0.05 }, new StealingHost())
            .RunAsync(CancellationToken.None);
        Assert.InRange(peak.Rate, 190, 200);
        Assert.All(peak.Steps, s => Assert.Equal(s.Rate > 200 ? 30 : 0, s.MaxCoreSteal));
        Assert.Contains("hypervisor's steal", peak.Verdict);
        Assert.Contains("up to 30%", peak.Verdict);
        Assert.Contains("steal up to 30% of a core", TextTable.Render(PeakStepsTable.Of(peak.Steps, 1), ""));
    }

    /// <summary>Above 200 conn/s another guest takes 30% of a core: the busy figure crosses the limit with latency fine.</summary>
    private sealed class StealingHost : IPeakStepRunner
    {
        public Task<PeakStepResult> RunStepAsync(double rate, CancellationToken ct)
        {
            var steal = rate > 200 ? 30.0 : 0;
            var attempted = (long)(rate * 2);
            return Task.FromResult(new PeakStepResult(10, Math.Min(100, 60 + steal), attempted, attempted, 0, MaxCoreSteal: steal));
        }
    }

    [Fact]
    public async Task StopsAndSaysSoWhenTheGeneratorIsTheLimit()
    {
        var fake = new FakeServer(capacity: 5000, generatorLimit: 700);
        var peak = await new PeakSearch(new PeakSearchOptions { StartRate = 100 }, fake).RunAsync(CancellationToken.None);
        Assert.Equal("generator", peak.LimitedBy);
        Assert.Equal(400, peak.Rate);
        Assert.Equal(800, peak.FailedRate);
        Assert.Equal("generator", peak.Steps[^1].Outcome);
        Assert.Contains("generator could not offer 800", peak.Verdict);
    }

    [Fact]
    public async Task AGeneratorLimitedFirstStepHalvesDownAndTheVerdictBlamesTheGenerator()
    {
        var fake = new FakeServer(capacity: 5000, generatorLimit: 60);
        var peak = await new PeakSearch(new PeakSearchOptions { StartRate = 100, Precision = 0.05 }, fake).RunAsync(CancellationToken.None);
        Assert.Equal("generator", peak.LimitedBy);
        Assert.Equal(50, peak.Rate);
        Assert.Equal([100, 50, 75], peak.Steps.Select(s => s.Rate));
        Assert.Contains("generator could not offer 75", peak.Verdict);
    }

    [Fact]
    public async Task ReportsTheCeilingWhenEveryStepPasses()
    {
        var peak = await new PeakSearch(new PeakSearchOptions { StartRate = 100, MaxRate = 1000 }, new FakeServer(1e9))
            .RunAsync(CancellationToken.None);
        Assert.Equal("none", peak.LimitedBy);
        Assert.Equal(1000, peak.Rate);
        Assert.Equal([100, 200, 400, 800, 1000], peak.Steps.Select(s => s.Rate));
        Assert.Contains("ceiling", peak.Verdict);
    }

    [Fact]
    public async Task HalvesDownWhenTheFirstStepFailsAndReportsNoPeakAtTheFloor()
    {
        var peak = await new PeakSearch(new PeakSearchOptions { StartRate = 100, MinRate = 10 }, new FakeServer(1))
            .RunAsync(CancellationToken.None);
        Assert.Equal(0, peak.Rate);
        Assert.Equal([100, 50, 25, 12.5, 10], peak.Steps.Select(s => s.Rate));
        Assert.Contains("no rate", peak.Verdict);
    }

    [Fact]
    public async Task ErrorsAboveTheShareFailAStep()
    {
        var runner = new ErroringRunner();
        var peak = await new PeakSearch(new PeakSearchOptions { StartRate = 100, MinRate = 50 }, runner).RunAsync(CancellationToken.None);
        Assert.All(peak.Steps, s => Assert.Equal("fail-errors", s.Outcome));
        Assert.Equal(0, peak.Rate);
    }

    private sealed class ErroringRunner : IPeakStepRunner
    {
        public Task<PeakStepResult> RunStepAsync(double rate, CancellationToken ct) =>
            Task.FromResult(new PeakStepResult(5, 10, 100, 80, 20));
    }

    [Fact]
    public async Task NeverRunsMoreThanMaxSteps()
    {
        var peak = await new PeakSearch(new PeakSearchOptions { StartRate = 1, Precision = 0.001, MaxSteps = 6 }, new FakeServer(777))
            .RunAsync(CancellationToken.None);
        Assert.Equal(6, peak.Steps.Count);
    }

    [Theory]
    [InlineData("5%", 0.05)]
    [InlineData("0.1", 0.001)]
    [InlineData("5", 0.05)]
    [InlineData("12.5%", 0.125)]
    public void PrecisionReadsPercentages(string text, double expected) =>
        Assert.Equal(expected, PeakSearchOptions.ParsePercent(text, "--precision"), 6);

    [Fact]
    public void BadOptionsAreInputErrors()
    {
        Assert.Throws<InputException>(() => new PeakSearchOptions { Precision = 0 }.Validate());
        Assert.Throws<InputException>(() => new PeakSearchOptions { MaxCpuBusy = 120 }.Validate());
        Assert.Throws<InputException>(() => new PeakSearchOptions { StartRate = 10, MaxRate = 5 }.Validate());
        Assert.Throws<InputException>(() => PeakSearchOptions.ParsePercent("fast", "--precision"));
    }
}

public class PeakSearchInterruptionTests
{
    private sealed class CancelAfter(int steps, CancellationTokenSource cts) : IPeakStepRunner
    {
        private int _n;
        public Task<PeakStepResult> RunStepAsync(double rate, CancellationToken ct)
        {
            if (++_n > steps) { cts.Cancel(); ct.ThrowIfCancellationRequested(); }
            return Task.FromResult(new PeakStepResult(rate > 300 ? 900 : 20, 40, 100, 100, 0));
        }
    }

    [Fact]
    public async Task AnInterruptedSearchStillReportsWhatItsStepsShowed()
    {
        using var cts = new CancellationTokenSource();
        var search = new PeakSearch(new PeakSearchOptions { StartRate = 100 }, new CancelAfter(4, cts));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => search.RunAsync(cts.Token));
        var partial = search.Partial();
        Assert.Equal(4, partial.Steps.Count);
        Assert.Equal([100, 200, 400, 300], partial.Steps.Select(x => x.Rate));
        Assert.Equal(300, partial.Rate);
        Assert.Equal(400, partial.FailedRate);
        Assert.StartsWith("interrupted after 4 step(s)", partial.Verdict);
    }
}
