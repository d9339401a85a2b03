using Detector.Models.Kernels.Cuda;
using Xunit;

namespace Detector.Tests.Kernels;

/// <summary>Starting the CUDA backend where it cannot run fails with a <see cref="CudaException"/> that says why, on any machine.</summary>
public sealed class CudaKernelsStartupTests
{
    [Fact]
    public void Constructor_DeviceNotPresent_ThrowsCudaExceptionNamingDeviceAndInventory()
    {
        var e = Assert.Throws<CudaException>(() => new CudaKernels(999));

        Assert.Contains("cuda:999 is not available", e.Message, StringComparison.Ordinal);
        Assert.Contains("CUDA device", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KernelSource_EveryEntryPointIsDefined()
    {
        foreach (var entry in CudaKernelSource.EntryPoints)
        {
            Assert.Contains($"__global__ void {entry}(", CudaKernelSource.Source, StringComparison.Ordinal);
        }
    }
}
