using Detector.Models.Kernels;
using Detector.Models.Kernels.Cuda;

namespace Detector.Models.Devices;

/// <summary>
/// How a pipeline finds GPUs and builds a GPU's kernels: the real CUDA probe and <see cref="CudaKernels"/> by default,
/// a fake probe and factory in tests. The factory is called only for devices the probe found, one instance per actor
/// (so one CUDA stream per actor); a factory that throws sends that actor to the CPU with a warning.
/// </summary>
/// <param name="Probe">Finds the CUDA devices.</param>
/// <param name="CreateGpuKernels">Builds the kernels of one CUDA device.</param>
public sealed record DeviceBackends(IDeviceProbe Probe, Func<DeviceSpec, IKernels<float>> CreateGpuKernels)
{
    /// <summary>The CUDA driver probe and FP32 <see cref="CudaKernels"/>.</summary>
    public static DeviceBackends Default { get; } = new(CudaDeviceProbe.Instance, d => new CudaKernels(d.Ordinal));
}
