using Detector.Models.Torch;
using Xunit;

namespace Detector.Tests.Torch;

/// <summary>A theory that needs LibTorch: skipped, with the real cause, where it cannot load (see TorchRuntimeTests, which never skips).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TorchTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when LibTorch is not usable.</summary>
    public TorchTheoryAttribute()
    {
        if (!TorchRuntime.IsAvailable)
        {
            Skip = TorchRuntime.UnavailableReason;
        }
    }
}
