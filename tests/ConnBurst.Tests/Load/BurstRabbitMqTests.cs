using ConnBurst.Load;
using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Load;

/// <summary><c>burst</c> against RabbitMQ's MQTT plugin (3.1.1) with a user: the right password connects, a wrong one is
/// counted by its CONNACK return code.</summary>
public sealed class BurstRabbitMqTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task AUserAndPasswordConnectToRabbitMqAndAWrongPasswordIsItsConnackCode()
    {
        Assert.True(File.Exists(RabbitMqBroker.Executable), "rabbitmq-server is not installed: run ./test.sh as root");
        using var broker = new RabbitMqBroker();
        using var dir = new TempDir();
        await File.WriteAllTextAsync(dir.Combine("pw"), RabbitMqBroker.Password + "\n");
        string[] common = ["burst", "--target", broker.Target, "--pki", TestPki.Dir, "--mqtt", "3.1.1", "--clients", "3", "--rate", "10",
            "--connect-timeout", "30s", "--username", RabbitMqBroker.User, "--out", dir.Combine("results")];

        var good = await CliProcess.RunAsync(RunTimeout, [.. common, "--password-file", dir.Combine("pw")]);
        var goodDoc = ResultsFile.Read(good.LastLine);
        Assert.True(goodDoc.Counts.Connacks == 3 && goodDoc.Counts.Failed.Count == 0,
            $"failures: {string.Join(", ", goodDoc.Counts.Failed)}\n{good}\n{broker.Output}");

        using var wrong = CliProcess.Start(common, new Dictionary<string, string> { [MqttCredentials.PasswordVariable] = "wrong" });
        var bad = await wrong.WaitAsync(RunTimeout);
        var badDoc = ResultsFile.Read(bad.LastLine);
        Assert.Equal(0, badDoc.Counts.Connacks);
        Assert.True(badDoc.Counts.Failed.Count == 1 && badDoc.Counts.Failed.GetValueOrDefault("connack-0x04") == 3,
            $"failures: {string.Join(", ", badDoc.Counts.Failed)}\n{bad}");
    }
}
