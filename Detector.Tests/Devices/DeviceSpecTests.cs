using Detector.Models.Devices;
using Xunit;

namespace Detector.Tests.Devices;

/// <summary>Device names as configuration writes them: cpu, cuda:N, auto; anything else rejected with the value and the allowed forms.</summary>
public sealed class DeviceSpecTests
{
    [Theory]
    [InlineData("cpu", DeviceKind.Cpu, 0, "cpu")]
    [InlineData(" CPU ", DeviceKind.Cpu, 0, "cpu")]
    [InlineData("auto", DeviceKind.Auto, 0, "auto")]
    [InlineData("cuda:0", DeviceKind.Cuda, 0, "cuda:0")]
    [InlineData("CUDA:12", DeviceKind.Cuda, 12, "cuda:12")]
    public void Parse_KnownForms_GivesKindOrdinalAndCanonicalName(string text, DeviceKind kind, int ordinal, string canonical)
    {
        var spec = DeviceSpec.Parse(text);

        Assert.Equal(kind, spec.Kind);
        Assert.Equal(ordinal, spec.Ordinal);
        Assert.Equal(canonical, spec.ToString());
        Assert.Equal(spec, DeviceSpec.Parse(spec.ToString()));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:+1")]
    [InlineData("cuda:x")]
    [InlineData("cuda:0:1")]
    [InlineData("cuda:99999999999")]
    [InlineData("")]
    [InlineData(null)]
    public void Parse_AnythingElse_FailsNamingTheValueAndTheAllowedForms(string? text)
    {
        Assert.False(DeviceSpec.TryParse(text, out _));
        var e = Assert.Throws<FormatException>(() => DeviceSpec.Parse(text));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(DeviceSpec.AllowedForms, e.Message, StringComparison.Ordinal);
    }
}
