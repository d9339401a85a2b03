using Detector.Models.Validation;
using Detector.Node.Configuration;
using Detector.Streams.Pipeline;
using Xunit;

namespace Detector.Tests.Devices;

/// <summary>Pipeline:Devices binds from files and DETECTOR__ variables and is validated with the key, the value and what is allowed.</summary>
public sealed class DeviceOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("detector-devices-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string EmptyConfig()
    {
        var path = Path.Combine(_dir, "empty.json");
        File.WriteAllText(path, "{}");
        return path;
    }

    private static Dictionary<string, string?> Env(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => (string?)p.Value);

    [Fact]
    public void Load_NothingConfigured_DevicesIsAuto() =>
        Assert.Equal(["auto"], NodeConfiguration.Load(EmptyConfig(), Env()).Pipeline.Devices);

    [Fact]
    public void Load_DevicesFromEnvironment_BindsInOrder()
    {
        var options = NodeConfiguration.Load(EmptyConfig(),
            Env(("DETECTOR__Pipeline__Devices__0", "cuda:0"), ("DETECTOR__Pipeline__Devices__1", "cuda:1"), ("DETECTOR__Pipeline__Devices__2", "cpu")));

        Assert.Equal(["cuda:0", "cuda:1", "cpu"], options.Pipeline.Devices);
        Assert.Equal(["cuda:0", "cuda:1", "cpu"], options.Pipeline.DeviceSpecs.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_UnknownDevice_NamesTheKeyValueAndAllowedForms()
    {
        var error = Assert.Throws<InvalidOptionException>(() => NodeConfiguration.Load(EmptyConfig(),
            Env(("DETECTOR__Pipeline__Devices__0", "cpu"), ("DETECTOR__Pipeline__Devices__1", "gpu1"))));

        Assert.Equal("Pipeline:Devices:1", error.Key);
        Assert.Contains("gpu1", error.ShownValue, StringComparison.Ordinal);
        Assert.Contains("'cuda:N'", error.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AutoMixedWithOthers_IsRejected()
    {
        var error = Assert.Throws<InvalidOptionException>(() => new PipelineOptions { Devices = ["auto", "cpu"] }.Validate());

        Assert.Equal("Devices", error.Key);
        Assert.Contains("'auto' alone", error.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptyList_IsRejected() =>
        Assert.Equal("Devices", Assert.Throws<InvalidOptionException>(() => new PipelineOptions { Devices = [] }.Validate()).Key);

    [Fact]
    public void Load_TrainerDevice_DefaultsToCpuAndBindsCuda()
    {
        Assert.Equal("cpu", NodeConfiguration.Load(EmptyConfig(), Env()).Pipeline.TrainerDevice);
        Assert.Equal("cuda:1", NodeConfiguration.Load(EmptyConfig(), Env(("DETECTOR__Pipeline__TrainerDevice", "cuda:1"))).Pipeline.TrainerDevice);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("gpu")]
    public void Load_TrainerDeviceNotCpuOrCuda_NamesTheKey(string value)
    {
        var error = Assert.Throws<InvalidOptionException>(() => NodeConfiguration.Load(EmptyConfig(), Env(("DETECTOR__Pipeline__TrainerDevice", value))));

        Assert.Equal("Pipeline:TrainerDevice", error.Key);
        Assert.Contains("'cpu' or 'cuda:N'", error.Allowed, StringComparison.Ordinal);
    }
}
