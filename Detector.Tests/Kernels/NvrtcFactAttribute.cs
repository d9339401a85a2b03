using Detector.Models.Kernels.Cuda;
using Xunit;

namespace Detector.Tests.Kernels;

/// <summary>
/// A fact or theory that needs NVIDIA's runtime compiler (libnvrtc) but no GPU: compiling CUDA C needs no device.
/// Skipped, with the reason, where the library is missing (`make test` installs Debian's libnvrtc11.2).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NvrtcTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when NVRTC cannot be loaded.</summary>
    public NvrtcTheoryAttribute()
    {
        if (!Nvrtc.IsAvailable)
        {
            Skip = $"NVRTC not found (libnvrtc.so.12/.11.2; Debian non-free package libnvrtc11.2, or {CudaLibraryPaths.Variable})";
        }
    }
}
