using Xunit;

namespace Detector.Tests.Kernels;

/// <summary>A theory that needs a CUDA device: skipped, with the probe's reason, where none is usable.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CudaTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when no CUDA device is usable.</summary>
    public CudaTheoryAttribute()
    {
        if (CudaTestDevice.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
