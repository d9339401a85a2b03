using Detector.Models.Kernels;
using Detector.Models.Kernels.Cuda;

namespace Detector.Tests.Kernels;

/// <summary>
/// The CUDA backend in FP32 against the scalar oracle, with the same tolerances as the CPU backends. Skipped, with the
/// probe's reason, where no CUDA device is usable. (TF32 and BF16 round GEMM inputs, so they are held to the looser
/// tolerances of <see cref="CudaParityTests"/> instead.)
/// </summary>
[RequiresCuda]
public sealed class CudaKernelContractTests : KernelOracleContract
{
    private static readonly Lazy<CudaKernels> Kernels = new(() => new CudaKernels(0));

    /// <inheritdoc />
    protected override IKernels<float> Fast => Kernels.Value;
}
