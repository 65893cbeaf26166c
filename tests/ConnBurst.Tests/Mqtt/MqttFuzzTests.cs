using ConnBurst.Mqtt;

namespace ConnBurst.Tests.Mqtt;

public class MqttFuzzTests
{
    [Fact]
    public void HundredThousandMutatedPacketsCauseNoUnhandledException()
    {
        var result = MqttFuzzer.Run(seed: 20261123, inputs: 100_000);
        Assert.True(result.Exceptions == 0, result.FirstException);
        Assert.Equal(100_000, result.Decoded + result.Incomplete + result.Rejected);
        // The mutations must exercise every branch kind, or the test proves little.
        Assert.True(result.Decoded > 1000, $"only {result.Decoded} decoded");
        Assert.True(result.Rejected > 10_000, $"only {result.Rejected} rejected");
        Assert.True(result.Incomplete > 1000, $"only {result.Incomplete} incomplete");
    }

    [Fact]
    public void TheCorpusItselfDecodesCleanly()
    {
        // Unmutated inputs come from real encoders: each must decode (a corpus that is already invalid fuzzes nothing).
        foreach (var packet in MqttFuzzer.Corpus())
            Assert.True(MqttFuzzer.Feed(packet) == MqttDecodeStatus.Ok, Convert.ToHexString(packet));
    }
}
