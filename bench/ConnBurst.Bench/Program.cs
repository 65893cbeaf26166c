using ConnBurst.Bench;

// Each benchmark is a small class with one job; `dotnet run -c Release --project bench/ConnBurst.Bench -- NAME [args]`.
var benchmarks = new Dictionary<string, Func<string[], int>>(StringComparer.OrdinalIgnoreCase)
{
    ["pki"] = PkiBench.Run,
    ["hold"] = HoldBench.Run,
    ["crl"] = CrlBench.Run,
    ["mqtt-fuzz"] = MqttFuzzBench.Run,
    ["monitor-sample"] = MonitorSampleBench.Run,
    ["mqttnet-server"] = MqttNetServerBench.Run,
    ["ssl-setup"] = SslSetupBench.Run,
};
if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: ConnBurst.Bench <{string.Join('|', benchmarks.Keys)}> [args]");
    return 2;
}
return run(args[1..]);
