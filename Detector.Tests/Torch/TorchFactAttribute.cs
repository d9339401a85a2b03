using Detector.Models.Torch;
using Xunit;

namespace Detector.Tests.Torch;

/// <summary>A fact that needs LibTorch: skipped, with the real cause, where it cannot load (see TorchRuntimeTests, which never skips).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TorchFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when LibTorch is not usable.</summary>
    public TorchFactAttribute()
    {
        if (!TorchRuntime.IsAvailable)
        {
            Skip = TorchRuntime.UnavailableReason;
        }
    }
}
