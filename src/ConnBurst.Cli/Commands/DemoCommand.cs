using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ConnBurst.Cli.Progress;
using ConnBurst.Common;
using ConnBurst.Reporting.Peak;
using ConnBurst.Reporting.Sections;
using ConnBurst.Reporting.Tables;
using ConnBurst.Results;
using ConnBurst.Runs;

namespace ConnBurst.Cli.Commands;

/// <summary>
/// <c>connburst demo</c>: the whole job on one machine in about a minute (<see cref="DemoRun"/>), its steps printed
/// with the time since start, the peak search indented under them, and a summary with the HTML report's path last.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var outDir = new Option<string?>("--out") { Description =
            "Directory for the PKI, results and report (default: a new temp directory)" };
        var clients = new Option<int>("--clients") { Description = "Clients in the burst", DefaultValueFactory = _ => 300 };
        var rate = new Option<double>("--rate") { Description = "Burst connection rate (conn/s)", DefaultValueFactory = _ => 100 };
        var duration = new DurationOption("--duration") { Description = "Burst length (clients linger 3s, then reconnect)",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(15) };
        var peakSteps = new Option<int>("--peak-steps") { Description = "Most steps of the peak search", DefaultValueFactory = _ => 7 };
        var cmd = new Command("demo",
            "The whole job in about a minute: PKI with a 10K-revoked CRL, serve mqtt, monitor, a burst with reconnect cycles, a short " +
            "peak search, an HTML report.")
        {
            outDir, clients, rate, duration, peakSteps,
        };
        CommandAction.Set(cmd, async (p, ct) =>
        {
            var burstDuration = p.GetValue(duration);
            if (p.GetValue(clients) < 1) throw new InputException("--clients must be at least 1");
            var dir = Path.GetFullPath(p.GetValue(outDir)
                ?? Path.Combine(Path.GetTempPath(), $"connburst-demo-{ResultsFile.Timestamp(DateTimeOffset.UtcNow)}"));
            Directory.CreateDirectory(dir);
            var view = new DemoConsole();
            var r = await DemoRun.RunAsync(new DemoRun.Settings(dir, p.GetValue(clients), p.GetValue(rate), burstDuration,
                p.GetValue(peakSteps)), view, ct);
            view.Summary(r);
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>The demo's lines: each step with the time since start, the peak search indented, a summary, the report's path
    /// last.</summary>
    private sealed class DemoConsole : IDemoView
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
        private readonly Stopwatch _sw = Stopwatch.StartNew();

        public IPeakView Peak { get; } = new PeakConsole(new PrefixedWriter(Console.Out, "        "));

        public void Say(string text) => Console.WriteLine(string.Create(Inv, $"[{_sw.Elapsed.TotalSeconds,5:0.0}s] {text}"));

        public void Burst(ResultsDocument burst)
        {
            var total = burst.Latency.GetValueOrDefault("total");
            Say(string.Create(Inv,
                $"burst done: {burst.Counts.Attempted:N0} attempts, {burst.Counts.Connacks:N0} CONNACKs, " +
                $"{burst.Counts.Failed.Values.Sum():N0} failed; " +
                $"connect latency avg {Ms(LatencyTable.Avg, total?.Avg)} ms, p99 {Ms(LatencyTable.P99, total?.P99)} ms"));
        }

        public void Stopped(IReadOnlyList<int> pids) =>
            Console.Error.WriteLine($"demo: stopped {pids.Count} child process(es): pids {string.Join(", ", pids)}");

        public void Summary(DemoRun.Result r)
        {
            var total = r.Burst.Latency.GetValueOrDefault("total");
            var server = ServerFigures.Of(r.Burst);
            Console.WriteLine();
            Console.WriteLine(
                $"connect latency (total): avg {Ms(LatencyTable.Avg, total?.Avg)} ms, p50 {Ms(LatencyTable.P50, total?.P50)}, " +
                              $"p90 {Ms(LatencyTable.P90, total?.P90)}, p99 {Ms(LatencyTable.P99, total?.P99)}, max " +
                              $"{Ms(LatencyTable.Max, total?.Max)} ms");
            Console.WriteLine(
                string.Create(Inv,
                $"server: busiest core {server?.MaxCoreBusy ?? 0:0.0}% (cpu{server?.BusiestCore ?? 0}), process CPU avg " +
                $"{server?.ProcessCpuAvg ?? 0:0}% of a core"));
            Console.WriteLine($"peak: {r.Peak.Doc.PeakSection()?.Verdict}");
            Console.WriteLine($"done in {_sw.Elapsed.TotalSeconds:0} s; results in {r.ResultsDir}");
            Console.WriteLine(r.HtmlPath);
        }

        /// <summary>A figure of the latency table as the table prints it (0 when the run recorded none, as before).</summary>
        private static string Ms(Column column, double? value) => column.Text(value ?? 0);
    }

    /// <summary>Indents the peak search's lines under the demo's own.</summary>
    private sealed class PrefixedWriter(TextWriter inner, string prefix) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;
        public override void WriteLine(string? value) => inner.WriteLine(prefix + value);
        public override void Write(char value) => inner.Write(value);
    }
}
