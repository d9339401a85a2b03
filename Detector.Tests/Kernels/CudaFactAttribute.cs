using Xunit;

namespace Detector.Tests.Kernels;

/// <summary>A fact that needs a CUDA device: skipped, with the probe's reason, where none is usable.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CudaFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when no CUDA device is usable.</summary>
    public CudaFactAttribute()
    {
        if (CudaTestDevice.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
