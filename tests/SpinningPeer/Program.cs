using System.Runtime.CompilerServices;

namespace SpinningPeer;

/// <summary>
/// Spins one named thread in <see cref="SpinInNamedMethod"/> until stdin closes or the lifetime (first argument,
/// seconds; default 120) ends, so <c>monitor --perf</c> has a managed frame whose name the test knows.
/// Prints "ready" once spinning.
/// </summary>
internal static class Program
{
    private static volatile bool _stop;

    private static int Main(string[] args)
    {
        var lifetime = TimeSpan.FromSeconds(args.Length > 0 && int.TryParse(args[0], out var s) ? s : 120);
        var spinner = new Thread(SpinInNamedMethod) { Name = "spinner", IsBackground = true };
        spinner.Start();
        Console.WriteLine("ready");
        Console.Out.Flush();
        var deadline = DateTime.UtcNow + lifetime;
        while (DateTime.UtcNow < deadline && !_stop) Thread.Sleep(100);
        _stop = true;
        spinner.Join(TimeSpan.FromSeconds(5));
        return 0;
    }

    // NoInlining keeps the frame perf samples as this method, not its caller.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SpinInNamedMethod()
    {
        ulong x = 0;
        while (!_stop)
        {
            x = (x * 6364136223846793005UL) + 1442695040888963407UL;
            if (x == 42) Console.WriteLine(x);
        }
    }
}
