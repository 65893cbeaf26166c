using System.Text.Json;
using ConnBurst.Common;
using ConnBurst.Pki;
using ConnBurst.Servers.Mqtt;

namespace ConnBurst.Runs;

/// <summary>
/// <c>serve mqtt --workers N</c>: N child processes of this same program listen on one port with SO_REUSEPORT, so the
/// server scales past one process's 20,000-fd limit. Each child prints <c>@ready</c> once listening and
/// <c>@counters {json}</c> every interval and on exit; the parent sums the latest snapshot of each. A child that dies
/// is logged, counted and started again (its counters until then are kept); the port stays served by the others
/// meanwhile, because SO_REUSEPORT spreads new connections over whoever listens.
/// </summary>
internal sealed class MqttServerWorkers : IAsyncDisposable
{
    private const string Ready = "@ready";
    private const string CountersPrefix = "@counters ";
    /// <summary>A child that dies sooner than this after starting counts as failing to start (a taken port, a bad PKI).</summary>
    private static readonly TimeSpan EarlyDeath = TimeSpan.FromSeconds(3);
    private const int MaxEarlyDeathsInARow = 3;

    private readonly MqttBrokerOptions _options;
    private readonly IReadOnlyList<string> _args;
    private readonly Action<string> _log;
    private readonly Lock _gate = new();
    private readonly Worker[] _workers;
    private MqttBrokerSnapshot _retired = new();
    private bool _stopping;
    private int _restarts;

    private sealed class Worker
    {
        public required ChildProcess Process;
        public DateTime Started;
        public MqttBrokerSnapshot Latest = new();
        public int EarlyDeaths;
        public required TaskCompletionSource ReadyOnce;
    }

    private MqttServerWorkers(MqttBrokerOptions options, IReadOnlyList<string> args, Action<string> log)
    {
        _options = options;
        _args = args;
        _log = log;
        _workers = new Worker[options.Workers];
    }

    /// <summary>Worker restarts so far (each logged when it happens).</summary>
    public int Restarts { get { lock (_gate) return _restarts; } }

    public IEnumerable<int> Pids { get { lock (_gate) return _workers.Select(w => w.Process.Pid).ToList(); } }

    /// <summary>Starts the children with <paramref name="args"/> (this process's own command line) and waits until every one
    /// listens.</summary>
    public static async Task<MqttServerWorkers> StartAsync(MqttBrokerOptions options, IReadOnlyList<string> args, Action<string> log,
        CancellationToken ct)
    {
        var w = new MqttServerWorkers(options, args, log);
        for (int i = 0; i < options.Workers; i++) w._workers[i] = w.StartChild(i, null);
        try
        {
            // A child that dies before listening fails the start (exited handler sets the exception after its early deaths).
            await Task.WhenAll(w._workers.Select(x => x.ReadyOnce.Task)).WaitAsync(TimeSpan.FromMinutes(2), ct).ConfigureAwait(false);
        }
        catch
        {
            await w.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return w;
    }

    /// <summary>The sum over every child, the ones that died included (their connections are gone, their counts stay).</summary>
    public MqttBrokerSnapshot Snapshot()
    {
        lock (_gate) return MqttBrokerSnapshot.Sum(_workers.Select(w => w.Latest).Append(_retired));
    }

    private Worker StartChild(int id, Worker? previous)
    {
        // stdin is redirected and held open: when this parent dies, even by SIGKILL, the worker reads end of stdin and stops.
        var psi = SelfProcess.StartInfo([.. _args, "--worker-id", id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Worker? worker = null;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        MqttBrokerSnapshot latest = new();
        var process = ChildProcess.Start(psi, (line, stderr) =>
        {
            if (stderr) { Console.Error.WriteLine(line); return; }
            if (line == Ready) { ready.TrySetResult(); return; }
            if (!line.StartsWith(CountersPrefix, StringComparison.Ordinal)) return;
            try
            {
                if (JsonSerializer.Deserialize<MqttBrokerSnapshot>(line.AsSpan(CountersPrefix.Length)) is { } s)
                    lock (_gate) { if (worker is null) latest = s; else worker.Latest = s; }
            }
            catch (JsonException) { /* a torn line: the next one replaces it */ }
        }, _ =>
        {
            Worker? exited;
            lock (_gate) exited = worker;
            if (exited is not null) OnExited(id, exited);
        });
        lock (_gate)
        {
            worker = new Worker { Process = process, Started = DateTime.UtcNow, EarlyDeaths = previous?.EarlyDeaths ?? 0, Latest = latest,
                ReadyOnce = ready };
        }
        return worker;
    }

    private void OnExited(int id, Worker dead)
    {
        var how = dead.Process.ExitDescription ?? "unknown";
        lock (_gate)
        {
            if (_stopping || _workers[id] != dead) return;
            // Its counts until now stay in the sums; its connections died with it.
            _retired = MqttBrokerSnapshot.Sum([_retired, dead.Latest with { Current = 0, CrlSerials = 0 }]);
            dead.Latest = new MqttBrokerSnapshot();
            dead.EarlyDeaths = DateTime.UtcNow - dead.Started < EarlyDeath ? dead.EarlyDeaths + 1 : 0;
            if (dead.EarlyDeaths >= MaxEarlyDeathsInARow)
            {
                _log($"worker {id} (pid {dead.Process.Pid}) exited ({how}) {dead.EarlyDeaths} times within {EarlyDeath.TotalSeconds:0} s " +
                    $"of starting; not restarting it");
                dead.ReadyOnce.TrySetException(new InputException(
                    $"serve mqtt: worker {id} exited ({how}) before listening; see its messages above"));
                return;
            }
            _restarts++;
            _log($"worker {id} (pid {dead.Process.Pid}) exited ({how}); restarting it (restart {_restarts})");
        }
        // A pause before the restart, so a child that cannot start never becomes a tight loop.
        _ = Task.Delay(TimeSpan.FromSeconds(1)).ContinueWith(_ =>
        {
            lock (_gate)
            {
                if (_stopping) return;
                try { _workers[id] = StartChild(id, dead); }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { _log(
                    $"worker {id}: cannot restart: {e.Message}"); }
            }
        }, TaskScheduler.Default);
    }

    /// <summary>Asks every child to stop (SIGINT: each prints its final counters), waits, and kills what does not stop.</summary>
    public async ValueTask DisposeAsync()
    {
        List<ChildProcess> children;
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
            children = _workers.Where(w => w is not null).Select(w => w.Process).ToList();
        }
        await Task.WhenAll(children.Select(async c =>
        {
            if (!await c.StopAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false))
                _log($"worker pid {c.Pid} did not stop within 15 s; killed it");
        })).ConfigureAwait(false);
        foreach (var c in children) c.Dispose();
    }

    /// <summary>
    /// Child mode (<c>--worker-id</c>): run one broker, print <c>@ready</c> and <c>@counters</c> lines, stop on Ctrl-C
    /// or when the parent's end of stdin closes.
    /// </summary>
    public static async Task RunChildAsync(MqttBrokerOptions options, PkiManifest manifest, int id, Action<string> log,
        CancellationToken stop)
    {
        using var parentGone = CancellationTokenSource.CreateLinkedTokenSource(stop);
        ParentProcess.CancelWhenStdinCloses(parentGone);
        var ct = parentGone.Token;
        await using var broker = new MqttBroker(options, manifest, msg => log($"[worker {id}] {msg}"));
        broker.Start();
        Console.WriteLine(Ready);
        void Emit() => Console.WriteLine(CountersPrefix + JsonSerializer.Serialize(broker.Snapshot()));
        using var timer = new PeriodicTimer(options.ReportInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false)) Emit();
        }
        catch (OperationCanceledException) { }
        await broker.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        Emit();
    }
}
