using System.Diagnostics;
using ConnBurst.Load;
using ConnBurst.Results;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Load;

/// <summary>
/// <c>burst</c> against a broker with users: <c>--username</c> with per-client placeholders, the password from a file or the
/// environment, per-client credentials in a client list, and a wrong password counted by its CONNACK reason. Against the real
/// Mosquitto with a password file and <c>require_certificate true</c>.
/// </summary>
public sealed class BurstCredentialsTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    public static TheoryData<string> Engines() => new() { "openssl", "sslstream" };

    /// <summary>A Mosquitto password file (mosquitto_passwd's hashes) holding each user with its password.</summary>
    private static async Task<string> PasswordFileAsync(TempDir dir, params (string User, string Password)[] users)
    {
        var path = dir.Combine("mosquitto.passwd");
        await File.WriteAllTextAsync(path, "");
        foreach (var (user, password) in users)
        {
            var psi = new ProcessStartInfo("mosquitto_passwd") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "-b", path, user, password }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(p.ExitCode == 0, await p.StandardError.ReadToEndAsync());
        }
        return path;
    }

    private static async Task<(CliResult Run, ResultsDocument Doc)> BurstAsync(IDictionary<string, string>? env, params string[] args)
    {
        using var p = CliProcess.Start(["burst", .. args], env);
        var run = await p.WaitAsync(RunTimeout);
        Assert.True(run.ExitCode is 0 or 1 && File.Exists(run.LastLine), run.ToString());
        return (run, ResultsFile.Read(run.LastLine));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task PerClientUserNamesWithAPasswordFileConnectToMosquittoRequiringCertificatesAndUsers(string engine)
    {
        using var dir = new TempDir();
        using var broker = new MosquittoBroker(passwordFile: await PasswordFileAsync(dir, ("dev-0", "pw-0"), ("dev-1", "pw-1"),
            ("dev-2", "pw-2")));
        await File.WriteAllTextAsync(dir.Combine("password.txt"), "pw-%i\n");
        var (run, doc) = await BurstAsync(null, "--target", broker.Target, "--pki", TestPki.Dir, "--tls-engine", engine,
            "--clients", "3", "--rate", "10", "--connect-timeout", "30s", "--username", "dev-%i", "--password-file",
            dir.Combine("password.txt"), "--out", dir.Combine("results"));

        Assert.True(doc.Counts.Connacks == 3 && doc.Counts.Failed.Count == 0,
            $"failures: {string.Join(", ", doc.Counts.Failed)}\n{run}\nmosquitto: {broker.Log}");
        Assert.Equal("dev-%i", doc.Config["username"]!.GetValue<string>());
        Assert.StartsWith("file ", doc.Config["password"]!.GetValue<string>());
        Assert.DoesNotContain("pw-", File.ReadAllText(run.LastLine)); // the password itself is never written
    }

    [Theory]
    [InlineData("openssl", "5", "connack-0x86", "connack-0x87")]
    [InlineData("sslstream", "5", "connack-0x86", "connack-0x87")]
    [InlineData("openssl", "3.1.1", "connack-0x04", "connack-0x05")]
    public async Task AWrongPasswordIsCountedByItsConnackReasonNotAsATlsFailure(string engine, string mqtt, string badPassword,
        string notAuthorized)
    {
        using var dir = new TempDir();
        using var broker = new MosquittoBroker(passwordFile: await PasswordFileAsync(dir, ("dev", "right")));
        var (run, doc) = await BurstAsync(new Dictionary<string, string> { [MqttCredentials.PasswordVariable] = "wrong" },
            "--target", broker.Target, "--pki", TestPki.Dir, "--tls-engine", engine, "--mqtt", mqtt, "--clients", "4", "--rate", "10",
            "--connect-timeout", "30s", "--username", "dev", "--out", dir.Combine("results"));

        var failed = doc.Counts.Failed;
        Assert.True(failed.Count == 1 && (failed.ContainsKey(badPassword) || failed.ContainsKey(notAuthorized))
            && failed.Values.Single() == 4, $"failures: {string.Join(", ", failed)}\n{run}");
        Assert.Equal(0, doc.Counts.Connacks);
        Assert.Equal("$" + MqttCredentials.PasswordVariable, doc.Config["password"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnMqttbenchListsOwnUserNamesAndPasswordsAreSentPerClient()
    {
        using var dir = new TempDir();
        using var broker = new MosquittoBroker(passwordFile: await PasswordFileAsync(dir, ("alice", "a-secret"), ("bob", "b-secret")));
        var m = TestPki.Manifest;
        System.Text.Json.Nodes.JsonObject Entry(string id, string user, string password) => new()
        {
            ["_id"] = id, ["version"] = "TCP5", ["dst"] = "127.0.0.1", ["dstPort"] = broker.Port, ["useTLS"] = true,
            ["clientCertPath"] = m.PathOf(m.Client.Cert), ["clientKeyPath"] = m.PathOf(m.Client.Key), ["username"] = user,
            ["password"] = password,
        };
        var list = dir.Combine("clients.json");
        await File.WriteAllTextAsync(list, new System.Text.Json.Nodes.JsonArray(Entry("c-alice", "alice", "a-secret"),
            Entry("c-bob", "bob", "b-secret"), Entry("c-eve", "bob", "guess")).ToJsonString());

        var (run, doc) = await BurstAsync(null, "--client-list", list, "--pki", TestPki.Dir, "--rate", "10", "--connect-timeout", "30s",
            "--out", dir.Combine("results"));

        Assert.True(doc.Counts.Connacks == 2, $"failures: {string.Join(", ", doc.Counts.Failed)}\n{run}");
        Assert.Equal(1, doc.Counts.Failed.Where(kv => kv.Key.StartsWith("connack-0x8", StringComparison.Ordinal)).Sum(kv => kv.Value));
        Assert.Empty(doc.Config["clientList"]!["unknownFields"]!.AsObject());
    }

    [Fact]
    public void ConnBurstsListFormatCarriesUserNamesAndPasswordsFromItsSecondVersion()
    {
        using var dir = new TempDir();
        var path = dir.Combine("list.txt");
        File.WriteAllLines(path,
            [ConnBurstClientList.HeaderWithUsers, "a,127.0.0.1,8884,,,-1,0,alice,a-secret", "b,127.0.0.1,8884,,,-1,0,,"]);
        var list = ConnBurstClientList.Read(path);
        Assert.Equal(("alice", "a-secret"), (list.UserNameOf(0), list.PasswordOf(0)));
        Assert.Equal(((string?)null, (string?)null), (list.UserNameOf(1), list.PasswordOf(1)));
    }

    [Fact]
    public async Task ClientlistWritesUserNamesThatBurstSendsWithItsPasswordFile()
    {
        using var dir = new TempDir();
        using var broker = new MosquittoBroker(passwordFile: await PasswordFileAsync(dir, ("u-cb-000000", "pw"), ("u-cb-000001", "pw")));
        var list = dir.Combine("list.txt");
        var written = await CliProcess.RunAsync(RunTimeout, "clientlist", "--destlist", "127.0.0.1", "--port", broker.Port.ToString(),
            "--clients", "2", "--client-id-prefix", "cb-", "--username", "u-%c", "--out-file", list);
        Assert.True(written.ExitCode == 0, written.ToString());
        Assert.Equal(ConnBurstClientList.HeaderWithUsers, File.ReadLines(list).First());
        await File.WriteAllTextAsync(dir.Combine("pw"), "pw\n");

        var (run, doc) = await BurstAsync(null, "--client-list", list, "--pki", TestPki.Dir, "--rate", "10", "--connect-timeout", "30s",
            "--password-file", dir.Combine("pw"), "--out", dir.Combine("results"));
        Assert.True(doc.Counts.Connacks == 2 && doc.Counts.Failed.Count == 0, $"failures: {string.Join(", ", doc.Counts.Failed)}\n{run}");
    }

    [Theory]
    [InlineData("dev-%i", 7, "cb-7", "dev-7")]
    [InlineData("%c@tenant", 7, "cb-7", "cb-7@tenant")]
    [InlineData("100%%-%i", 0, "x", "100%-0")]
    [InlineData("plain", 3, "x", "plain")]
    public void PlaceholdersNameTheClient(string template, int client, string id, string expected) =>
        Assert.Equal(expected, MqttCredentials.Expand(template, client, id));

    [Fact]
    public void NoPasswordGivenIsNoPasswordSentNotAnEmptyOne()
    {
        // An empty password is still a password: MQTT 3.1.1 brokers close a CONNECT carrying one without a user name.
        var none = new MqttCredentials(null, null);
        Assert.Null(none.PasswordOf(0, "c0", null));
        Assert.Null(none.UserNameOf(0, "c0", null));
        Assert.Equal("pw-c0", System.Text.Encoding.UTF8.GetString(new MqttCredentials("u", "pw-%c").PasswordOf(0, "c0", null)!.Value.Span));
    }

    [Fact]
    public async Task AnUnknownPlaceholderOrAPasswordOnTheCommandLineIsBadInput()
    {
        var unknown = await CliProcess.RunAsync(RunTimeout, "burst", "--username", "dev-%n", "--clients", "1");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--username: 'dev-%n' has an unknown placeholder", unknown.Stderr);
        var onTheLine = await CliProcess.RunAsync(RunTimeout, "burst", "--password", "secret", "--clients", "1");
        Assert.Equal(2, onTheLine.ExitCode);
    }
}
