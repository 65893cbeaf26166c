using System.Diagnostics;
using ConnBurst.Mqtt;

namespace ConnBurst.Bench;

/// <summary>
/// <c>mqtt-fuzz [INPUTS] [SEED] [VERSION]</c>: the longer fuzz run of the MQTT decoders, VERSION 5 (default) or 3.1.1
/// (the unit test runs 100,000 of each with a fixed seed).
/// </summary>
public static class MqttFuzzBench
{
    public static int Run(string[] args)
    {
        var inputs = args.Length > 0 ? long.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000;
        var seed = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : Environment.TickCount;
        var version = MqttVersions.Parse(args.Length > 2 ? args[2] : "5", "version");
        inputs = Math.Min(inputs, 200_000_000); // bounded: about a minute per 10M here
        var sw = Stopwatch.StartNew();
        var r = MqttFuzzer.Run(seed, inputs, version);
        Console.WriteLine(
            $"MQTT {version.Name()}, seed {seed}: {r.Inputs:N0} inputs in {sw.Elapsed.TotalSeconds:0.0} s: decoded {r.Decoded:N0}, " +
            $"incomplete {r.Incomplete:N0}, rejected {r.Rejected:N0}, unhandled exceptions {r.Exceptions}");
        if (r.FirstException is not null) Console.WriteLine($"first exception: {r.FirstException}");
        return r.Exceptions == 0 ? 0 : 1;
    }
}
