using Detector.Models.Devices;
using Xunit;

namespace Detector.Tests.Devices;

/// <summary>The real probe: never throws, and either finds devices or says why there are none.</summary>
public sealed class CudaDeviceProbeTests
{
    [Fact]
    public void Probe_OnAnyMachine_ReturnsDevicesOrAReasonWithoutThrowing()
    {
        var inventory = CudaDeviceProbe.Instance.Probe();

        if (inventory.Gpus.Count == 0)
        {
            Assert.False(string.IsNullOrWhiteSpace(inventory.Reason));
            Assert.StartsWith("no CUDA device (", inventory.Describe(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(inventory.Reason);
            Assert.All(inventory.Gpus, name => Assert.False(string.IsNullOrWhiteSpace(name)));
        }
        Assert.Same(inventory, CudaDeviceProbe.Instance.Probe());
    }
}
