using System.Reflection;
using ConnBurst.Common;
using ConnBurst.Load;
using ConnBurst.Tls;

namespace ConnBurst.Tests.Load;

/// <summary>Workers get the parent's options as JSON: every option must arrive unchanged, including ones added later.</summary>
public sealed class WorkerAssignmentTests
{
    /// <summary>Every property set to something other than its default, so a lost one shows.</summary>
    private static readonly BurstOptions Everything = new()
    {
        Target = new HostPort("198.18.0.1", 18884),
        Clients = 12345,
        Rate = 321.5,
        Stages = ConnBurst.Stages.StagePlan.Parse("100:2s,50..200:1m"),
        Linger = TimeSpan.FromSeconds(7),
        ReconnectDelay = TimeSpan.FromMilliseconds(250),
        Duration = TimeSpan.FromMinutes(3),
        KeepAlive = TimeSpan.FromSeconds(33),
        MqttVersion = ConnBurst.Mqtt.MqttVersion.V311,
        TlsOnly = true,
        ConnectTimeout = TimeSpan.FromSeconds(4),
        ClientIdPrefix = "agent-x-",
        SourceIps = "198.18.1.1,198.18.1.2",
        ClientListPath = "/lists/c.json",
        Workers = 3,
        Snapshot = TimeSpan.FromSeconds(2),
        ResultsDir = "/results/a",
        Tls = TlsOptions.Create("1.3", "TLS_AES_128_GCM_SHA256", allowResume: true).WithAlpn("mqtt,x-amzn-mqtt-ca"),
        TlsEngine = TlsEngine.SslStream,
        PkiDir = "/pki",
        CertPath = "/pki/c.pem",
        KeyPath = "/pki/c.key",
        CaPath = "/pki/ca.pem",
        PerClientCerts = true,
        ServerName = "mqtt.example",
        BehindThresholdMs = 25,
        Monitor = "198.18.0.1:8888",
        MonitorToken = "monitor-secret",
        UserName = "dev-%i",
        Password = "pw-%c",
        PasswordSource = "file /secrets/pw",
        Graphite = "198.18.0.1:2003",
        GraphiteRoot = "bench",
        Instance = "agent-1",
        ProbeTargets = false,
        Shard = new Shard(2, 5),
        StartAt = new DateTimeOffset(2026, 12, 1, 23, 0, 0, 123, TimeSpan.Zero),
    };

    [Fact]
    public void EveryOptionSurvivesTheTripToAWorker()
    {
        var sent = new WorkerAssignment(Everything, new Shard(1, 3), Everything.StartAt!.Value);
        var got = WorkerAssignment.Parse(sent.ToLine());

        Assert.Equal(new Shard(1, 3), got.Worker);
        Assert.Equal(sent.StartAt, got.StartAt);
        // Options are what can be set; what is computed from them (the schedule, the run's length) follows.
        foreach (var p in typeof(BurstOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var want = p.GetValue(Everything);
            var have = p.GetValue(got.Options);
            if (p.PropertyType == typeof(ConnBurst.Stages.StagePlan))
            {
                Assert.Equal(want!.ToString(), have!.ToString());
            }
            else if (p.PropertyType == typeof(TlsOptions))
            {
                var (w, h) = ((TlsOptions)want!, (TlsOptions)have!);
                Assert.Equal(w.Protocol, h.Protocol);
                Assert.Equal(w.Ciphers, h.Ciphers);
                Assert.Equal(w.AllowResume, h.AllowResume);
                Assert.Equal(w.Alpn, h.Alpn);
            }
            else
            {
                Assert.True(Equals(want, have), $"{p.Name}: sent {want}, the worker got {have}");
            }
        }
    }

    [Fact]
    public void TheSampleSetsEveryOptionAwayFromItsDefault()
    {
        // When someone adds an option, this fails until the round trip above covers it too.
        var defaults = new BurstOptions();
        foreach (var p in typeof(BurstOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
            Assert.False(Equals(p.GetValue(defaults), p.GetValue(Everything)), $"{p.Name} is at its default in the sample");
    }

    [Fact]
    public void AnAssignmentThatIsNotJsonIsOneLineOfBadInput()
    {
        Assert.Contains("not valid", Assert.Throws<InputException>(() => WorkerAssignment.Parse("{nope")).Message);
        Assert.Contains("expected the worker's assignment", Assert.Throws<InputException>(() => WorkerAssignment.Parse(null)).Message);
    }
}
