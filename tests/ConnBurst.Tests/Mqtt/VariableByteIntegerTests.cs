using ConnBurst.Mqtt;

namespace ConnBurst.Tests.Mqtt;

public class VariableByteIntegerTests
{
    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(127, new byte[] { 0x7F })]
    [InlineData(128, new byte[] { 0x80, 0x01 })]
    [InlineData(16_383, new byte[] { 0xFF, 0x7F })]
    [InlineData(16_384, new byte[] { 0x80, 0x80, 0x01 })]
    [InlineData(2_097_151, new byte[] { 0xFF, 0xFF, 0x7F })]
    [InlineData(2_097_152, new byte[] { 0x80, 0x80, 0x80, 0x01 })]
    [InlineData(268_435_455, new byte[] { 0xFF, 0xFF, 0xFF, 0x7F })]
    public void SpecTableValuesRoundTrip(int value, byte[] encoded)
    {
        var buf = new byte[4];
        Assert.Equal(encoded.Length, VariableByteInteger.SizeOf(value));
        Assert.Equal(encoded.Length, VariableByteInteger.Write(buf, value));
        Assert.Equal(encoded, buf[..encoded.Length]);
        Assert.Equal(MqttDecodeStatus.Ok, VariableByteInteger.TryRead(encoded, out var back, out var used));
        Assert.Equal(value, back);
        Assert.Equal(encoded.Length, used);
    }

    [Fact]
    public void FiveByteEncodingIsInvalid() =>
        Assert.Equal(MqttDecodeStatus.Invalid, VariableByteInteger.TryRead([0xFF, 0xFF, 0xFF, 0xFF, 0x01], out _, out _));

    [Fact]
    public void NonMinimalEncodingIsInvalid() =>
        Assert.Equal(MqttDecodeStatus.Invalid, VariableByteInteger.TryRead([0x80, 0x00], out _, out _));

    [Fact]
    public void TruncatedEncodingIsIncomplete() =>
        Assert.Equal(MqttDecodeStatus.Incomplete, VariableByteInteger.TryRead([0x80, 0x80], out _, out _));
}
