using ConnBurst.Mqtt;

namespace ConnBurst.Tests.Mqtt;

public class MqttFuzzTests
{
    [Theory]
    [InlineData("5")]
    [InlineData("3.1.1")]
    public void HundredThousandMutatedPacketsCauseNoUnhandledException(string version)
    {
        var result = MqttFuzzer.Run(seed: 20261123, inputs: 100_000, MqttVersions.Parse(version, "version"));
        Assert.True(result.Exceptions == 0, result.FirstException);
        Assert.Equal(100_000, result.Decoded + result.Incomplete + result.Rejected);
        // The mutations must exercise every branch kind, or the test proves little.
        Assert.True(result.Decoded > 1000, $"only {result.Decoded} decoded");
        Assert.True(result.Rejected > 10_000, $"only {result.Rejected} rejected");
        Assert.True(result.Incomplete > 1000, $"only {result.Incomplete} incomplete");
    }

    [Theory]
    [InlineData("5")]
    [InlineData("3.1.1")]
    public void TheCorpusItselfDecodesCleanly(string version)
    {
        // Unmutated inputs come from real encoders: each must decode (a corpus that is already invalid fuzzes nothing).
        var v = MqttVersions.Parse(version, "version");
        foreach (var packet in MqttFuzzer.Corpus(v))
            Assert.True(MqttFuzzer.Feed(packet, v) == MqttDecodeStatus.Ok, Convert.ToHexString(packet));
    }

    [Fact]
    public void EachVersionsDecodersRefuseTheOthersPropertyBytes()
    {
        // A v5 PUBLISH carries a property length after the topic; read as 3.1.1 it is payload, so it decodes: that is right.
        // A v5 SUBSCRIBE's property length byte, read as 3.1.1, becomes the first filter's length: it must not decode.
        byte[] subscribe5 = [0x82, 0x07, 0, 9, 0, 0, 1, (byte)'a', 1];
        Assert.Equal(MqttDecodeStatus.Ok, MqttFuzzer.Feed(subscribe5, MqttVersion.V5));
        Assert.Equal(MqttDecodeStatus.Invalid, MqttFuzzer.Feed(subscribe5, MqttVersion.V311));
        // A v5 CONNACK (with its property length) is not a 3.1.1 CONNACK, whose remaining length is exactly 2.
        Assert.Equal(MqttDecodeStatus.Invalid, MqttFuzzer.Feed(MqttConnAckEncoder.Success.ToArray(), MqttVersion.V311));
    }
}
