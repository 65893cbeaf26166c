using System.Globalization;
using ConnBurst.Recording;
using Spectre.Console;

namespace ConnBurst.Cli.Progress;

/// <summary>
/// The live view of a burst: on a terminal a Spectre.Console table that grows one row per snapshot interval (the last
/// 12 kept), otherwise one plain line per interval so logs and CI output stay readable. With <c>--tls-only</c> a
/// completed handshake counts where a CONNACK does, and the rate column says so.
/// </summary>
internal sealed class BurstProgressView(bool tlsOnly) : IProgress<IntervalProgress>
{
    private readonly string _doneLabel = tlsOnly ? "handshakes/s" : "connacks/s";
    private readonly bool _live = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
    private readonly Lock _gate = new();
    private readonly List<IntervalProgress> _rows = [];
    private readonly List<string> _notes = [];
    private LiveDisplayContext? _ctx;
    private Table _table = new();

    public bool IsLive => _live;

    /// <summary>Runs <paramref name="work"/> inside the live display (or plainly when not a terminal).</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        if (!_live) return await work();
        T result = default!;
        await AnsiConsole.Live(Render()).AutoClear(false).StartAsync(async ctx =>
        {
            lock (_gate) _ctx = ctx;
            result = await work();
            lock (_gate) { ctx.UpdateTarget(Render()); ctx.Refresh(); _ctx = null; }
        });
        return result;
    }

    public void Note(string line)
    {
        if (!_live) { Console.Error.WriteLine(line); return; }
        lock (_gate)
        {
            _notes.Add(line);
            if (_notes.Count > 5) _notes.RemoveAt(0);
            Refresh();
        }
    }

    public void Report(IntervalProgress p)
    {
        if (!_live)
        {
            Console.WriteLine(Plain(p, _doneLabel));
            return;
        }
        lock (_gate)
        {
            _rows.Add(p);
            if (_rows.Count > 12) _rows.RemoveAt(0);
            Refresh();
        }
    }

    private void Refresh()
    {
        if (_ctx is null) return;
        _ctx.UpdateTarget(Render());
        _ctx.Refresh();
    }

    private Table Render()
    {
        _table = new Table().Border(TableBorder.Rounded).Title("[bold]connburst burst[/]");
        var staged = _rows.Any(r => r.Stage is not null);
        if (staged) _table.AddColumn(new TableColumn("stage").RightAligned());
        if (staged) _table.AddColumn(new TableColumn("target/s").RightAligned());
        foreach (var c in new[] { "t (s)", "connected/target", "attempts/s", _doneLabel, "p50 ms", "p99 ms", "tcp", "tls", "connack",
            "timeout", "lag p99/max ms" })
        {
            _table.AddColumn(new TableColumn(c).RightAligned());
        }
        foreach (var p in _rows)
        {
            var lag = $"{F(p.SchedulerLagP99Ms)}/{F(p.SchedulerLagMaxMs)}";
            string[] cells = [F(p.Seconds), $"{p.ConnectedNow}/{p.Target}", F(p.AttemptsPerSec), F(p.ConnacksPerSec), F(p.TotalP50Ms),
                F(p.TotalP99Ms),
                Err(p, FailureKind.Tcp), Err(p, FailureKind.Tls), Err(p, FailureKind.ConnackRefused), Err(p, FailureKind.Timeout),
                p.Behind ? $"[red]{lag} behind[/]" : lag];
            _table.AddRow(staged ? [$"{p.Stage}/{p.StageCount}", F(p.TargetPerSec ?? 0), .. cells] : cells);
        }
        if (_notes.Count > 0) _table.Caption(Markup.Escape(string.Join(" | ", _notes)));
        return _table;
    }

    private static string Err(IntervalProgress p, FailureKind k)
    {
        var n = p.FailuresByKind.GetValueOrDefault(k.Name());
        return n == 0 ? "0" : $"[red]{n}[/]";
    }

    private static string Plain(IntervalProgress p, string doneLabel)
    {
        var errors = string.Join(' ', p.FailuresByKind.Where(kv => kv.Value > 0).Select(kv => $"{kv.Key}={kv.Value}"));
        var stage = p.Stage is { } st ? $"stage {st}/{p.StageCount} target/s={F(p.TargetPerSec ?? 0)} " : "";
        return $"t={F(p.Seconds)}s {stage}connected={p.ConnectedNow}/{p.Target} attempted={p.Attempted} attempts/s={F(p.AttemptsPerSec)} " +
               $"{doneLabel}={F(p.ConnacksPerSec)} p50={F(p.TotalP50Ms)}ms p99={F(p.TotalP99Ms)}ms errors=[{errors}] " +
               $"lag p99={F(p.SchedulerLagP99Ms)}ms max={F(p.SchedulerLagMaxMs)}ms{(p.Behind ? " BEHIND-SCHEDULE" : "")}";
    }

    private static string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);
}
