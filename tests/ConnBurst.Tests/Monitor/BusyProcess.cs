using System.Diagnostics;

namespace ConnBurst.Tests.Monitor;

/// <summary>
/// A python3 child that renames itself (its comm, what `ps -C` matches) and runs threads with names of their own:
/// one that spins (a busy thread the monitor must name) and optionally many that sleep. Killed on Dispose.
/// </summary>
internal sealed class BusyProcess : IDisposable
{
    private const string Script = """
        import ctypes, threading, sys, time
        libc = ctypes.CDLL(None)
        libc.prctl(15, sys.argv[1].encode(), 0, 0, 0)
        def spin():
            libc.prctl(15, b"busyspinner", 0, 0, 0)
            x = 0
            while True:
                x += 1
        def idle(i):
            libc.prctl(15, ("sleeper%d" % i).encode(), 0, 0, 0)
            while True:
                time.sleep(1)
        if sys.argv[2] == "1":
            threading.Thread(target=spin, daemon=True).start()
        for i in range(int(sys.argv[3])):
            threading.Thread(target=idle, args=(i,), daemon=True).start()
        print("ready", flush=True)
        time.sleep(float(sys.argv[4]))
        """;

    private readonly Process _process;

    private BusyProcess(string name, bool spin, int sleepers, TimeSpan lifetime)
    {
        Name = name;
        var psi = new ProcessStartInfo(File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-c", Script, name, spin ? "1" : "0", sleepers.ToString(),
            lifetime.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }
        _process = Process.Start(psi)!;
    }

    /// <summary>Its comm name: at most 15 characters, unique per test run.</summary>
    public string Name { get; }
    public int Pid => _process.Id;

    public static async Task<BusyProcess> StartAsync(bool spin = true, int sleepers = 0, TimeSpan? lifetime = null)
    {
        var name = "cbbusy" + Random.Shared.Next(100_000, 999_999);
        var p = new BusyProcess(name, spin, sleepers, lifetime ?? TimeSpan.FromMinutes(3));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await p._process.StandardOutput.ReadLineAsync(cts.Token);
        Assert.Equal("ready", line);
        return p;
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
