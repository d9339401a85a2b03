using Detector.Models.Devices;
using Detector.Models.Kernels.Cuda;

namespace Detector.Tests.Kernels;

/// <summary>
/// Whether CUDA tests can run here, decided once per test process: the probe must find a device and the backend must
/// start on cuda:0 (cuBLAS and NVRTC loadable). Otherwise every CUDA test is skipped with the reason.
/// </summary>
internal static class CudaTestDevice
{
    private static readonly Lazy<string?> Reason = new(Decide);

    /// <summary>Null when CUDA tests can run; otherwise why not, as the skip message.</summary>
    public static string? SkipReason => Reason.Value;

    private static string? Decide()
    {
        var inventory = CudaDeviceProbe.Instance.Probe();
        if (inventory.Gpus.Count == 0)
        {
            return $"no CUDA device: {inventory.Reason}";
        }
        try
        {
            using var kernels = new CudaKernels(0);
            return null;
        }
        catch (CudaException e)
        {
            return $"a CUDA device is present but the CUDA backend cannot start: {e.Message}";
        }
    }
}
