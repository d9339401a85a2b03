using Detector.Models.Kernels;
using Xunit;

namespace Detector.Tests.Kernels;

/// <summary>The checker `detector gpu-check` runs on a GPU machine, exercised here on the CPU backends.</summary>
public sealed class KernelParityCheckTests
{
    [Fact]
    public void Run_CpuBackend_EveryCheckPassesAtFp32Tolerance()
    {
        var results = KernelParityCheck.Run(CpuKernels.Instance, 1e-4);

        Assert.True(results.Count > 50, $"only {results.Count} checks");
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Check}: error {r.Error:G3} > {r.Tolerance:G3}"));
        Assert.Contains(results, r => r.Check.StartsWith("VariationalAutoencoder gradient", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_ZeroTolerance_FloatRoundingIsReportedAsFailure()
    {
        var results = KernelParityCheck.Run(ReferenceKernels<float>.Instance, 0);

        Assert.Contains(results, r => r.Check.StartsWith("gemm 64x129x130", StringComparison.Ordinal) && !r.Passed && r.Error > 0);
    }

    [Fact]
    public void Passed_NaNError_IsFailure() => Assert.False(new KernelCheckResult("nan", double.NaN, 1).Passed);
}
